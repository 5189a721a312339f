# -*- coding: utf-8 -*-
"""Write stream.jsonl for hotspot stream 11 (2027-03-01 .. 2027-03-07, +08:00).

Python 3 standard library only, fixed seed. Run from anywhere:
    python3 generator/generate.py
build() returns the messages with generator metadata (used by verify.py).
"""
import datetime as dt
import difflib
import json
import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bursts import BURSTS          # noqa: E402
from decoys import DECOYS          # noqa: E402
import background as bg            # noqa: E402

SEED = 20270301
TZ = dt.timezone(dt.timedelta(hours=8))
DAY0 = dt.datetime(2027, 3, 1, tzinfo=TZ)
OUT = os.path.join(os.path.dirname(HERE), "stream.jsonl")

SINGLES_PER_DAY = [240, 244, 238, 236, 240, 190, 172]
HOUR_W = [1.0, 0.5, 0.3, 0.2, 0.3, 0.8, 2.0, 4.0, 8.0, 10.0, 10.0, 9.0,
          7.0, 8.0, 9.0, 9.0, 8.0, 7.0, 5.0, 5.0, 5.0, 4.0, 3.0, 2.0]
HOUR_W_WEEKEND = [1.2, 0.7, 0.3, 0.2, 0.2, 0.4, 1.0, 2.0, 4.0, 7.0, 9.0, 9.0,
                  8.0, 7.0, 8.0, 8.0, 8.0, 7.0, 6.0, 6.0, 6.0, 5.0, 3.5, 2.5]
SRC_W = [("12345", 0.38), ("web", 0.23), ("wechat", 0.20), ("weibo", 0.11), ("telegram", 0.08)]
GRAN_W = {"d": 0.10, "t": 0.30, "r": 0.25, "e": 0.30, "n": 0.25}


def parse_local(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)


def iso(t):
    return t.isoformat()


# ---------------------------------------------------------------------------
def burst_windows():
    """name -> (first, last, place_words, topic_words)"""
    w = {}
    for b in BURSTS:
        st = parse_local(b["start"])
        offs = [m[0] for m in b["msgs"]]
        w[b["name"]] = (st + dt.timedelta(minutes=min(offs)),
                        st + dt.timedelta(minutes=max(offs)),
                        b["place_words"], b["topic_words"])
    return w


def single_ok(text, t, windows):
    """6 h place rule and 3 h topic-word rule for a single at time t."""
    for first, last, pw, tw in windows.values():
        if first - dt.timedelta(hours=6) <= t <= last + dt.timedelta(hours=6):
            if any(w in text for w in pw):
                return False
        if first - dt.timedelta(hours=3) <= t <= last + dt.timedelta(hours=3):
            if any(w in text for w in tw):
                return False
    return True


def in_any_window(t, windows, hours):
    h = dt.timedelta(hours=hours)
    return any(first - h <= t <= last + h for first, last, _, _ in windows.values())


ALL_PLACES = sorted(set(bg.DISTRICTS) | set(bg.TOWNS) | set(bg.ROADS) | set(bg.ESTATES)
                    | {t.replace("街道", "") for t in bg.TOWNS}, key=len, reverse=True)
PLACE_RE = re.compile("|".join(re.escape(p) for p in ALL_PLACES))


def mask(text):
    return PLACE_RE.sub("＊", text)


def third_person(s):
    for a, b in (("我们这边", "其所在地"), ("我家", "其家"), ("我们", "其所在"), ("我", "其")):
        s = s.replace(a, b)
    return s


# ---------------------------------------------------------------------------
class BG:
    def __init__(self, rng):
        self.rng = rng
        self.core_use = {}
        self.topic_place = set()
        self.placeless = {}
        self.by_topic = {}

    def pick_place(self, tp):
        rng = self.rng
        grans = [g for g in tp["gran"]]
        ws = [GRAN_W[g] for g in grans]
        if tp["q"]:
            ws = [0.6 if g == "n" else 0.4 for g in grans]
        g = rng.choices(grans, ws)[0]
        if g == "n":
            return g, None, None
        if g == "d":
            p = rng.choice(bg.DISTRICTS)
            return g, p, p
        if g == "t":
            p = rng.choice(sorted(bg.TOWNS))
            shown = p if rng.random() < 0.5 else p.replace("街道", "")
            return g, p, shown
        if g == "r":
            p = rng.choice(sorted(bg.ROADS))
            return g, p, p
        p = rng.choice(sorted(bg.ESTATES))
        town = bg.ESTATES[p].replace("街道", "")
        shown = town + p if rng.random() < 0.3 else p
        return g, p, shown

    def render(self, tp, core, detail, place_shown, src):
        rng = self.rng
        clause = core.format(p=place_shown)
        use_detail = rng.random() < 0.6
        req = rng.choice(tp["reqs"])
        if tp["q"]:
            if src == "12345":
                d = ("其" + detail + "，") if use_detail else ""
                return rng.choice(bg.P12345_Q) + d + third_person(clause) + "。"
            if src == "web":
                d = (detail + "。") if use_detail else ""
                return rng.choice(["您好，", "你好，", "领导好，", ""]) + "请问" + clause + "？" + d + rng.choice(["谢谢！", "盼复。", "麻烦告知。", ""])
            if src == "wechat":
                d = (detail + "。") if use_detail else ""
                return rng.choice(["问下，", "请教一下，", "有人知道", ""]) + clause + "？" + d + rng.choice(["", "🙏", "谢谢"])
            if src == "weibo":
                return rng.choice(["有没有人知道", "求问：", "谁知道"]) + clause + "？" + (detail + "。" if use_detail else "") + rng.choice(bg.WEIBO_TAGS)
            return clause + ("？" if rng.random() < 0.6 else "")
        kind = tp["kind"]
        if kind == "praise":
            if src == "12345":
                return rng.choice(["来电人表示，", "来电人称，"]) + third_person(clause) + "，" + third_person(detail) + rng.choice(["，特此表扬。", "，特此致谢。", "，希望转达谢意。"])
            if src == "web":
                return rng.choice(["您好，", "尊敬的领导：", ""]) + clause + "，" + detail + "。" + req + "！"
            if src == "wechat":
                return clause + "，" + detail + rng.choice(["👍", "，点赞", "[强]", ""])
            if src == "weibo":
                return clause + "，" + detail + "。" + rng.choice(["#舟山温度#", "#点赞舟山#", ""])
            return clause + " " + req
        if kind == "suggestion":
            if src == "12345":
                return "来电人" + clause + ("，" + detail if use_detail else "") + "，" + rng.choice(["供相关部门参考。", "希望予以考虑。", "请相关部门研究。"])
            if src == "web":
                return rng.choice(["您好，", "尊敬的领导：", "领导好，"]) + clause + "，" + detail + "。" + req + "。"
            if src == "telegram":
                return clause
            return clause + ("，" + detail if use_detail else "") + rng.choice(["", "，大家觉得呢", "。#城市建议#"])
        if kind == "lost":
            d = "，" + detail
            if src == "telegram":
                return clause + " " + detail.split("，")[0]
            return clause + d + "，" + req + rng.choice(["", "🙏", "！"])
        if src == "12345":
            d = ("，" + third_person(detail)) if use_detail else ""
            r = third_person(req)
            if not r.startswith(("希望", "请", "要求")):
                r = rng.choice(["希望相关部门尽快处理", "要求相关部门处理", "请相关部门核实处理"])
            return rng.choice(bg.P12345_OPEN) + third_person(clause) + d + "，" + r + "。"
        if src == "web":
            d = ("，" + detail) if use_detail else ""
            return rng.choice(bg.WEB_OPEN) + clause + d + "。" + req + "。" + rng.choice(bg.WEB_CLOSE)
        if src == "wechat":
            d = ("，" + detail) if use_detail else ""
            r = ("，" + req) if rng.random() < 0.3 else ""
            return rng.choice(bg.WECHAT_OPEN) + clause + d + r + rng.choice(bg.WECHAT_END)
        if src == "weibo":
            d = ("，" + detail) if use_detail else ""
            return clause + d + "。" + rng.choice(bg.WEIBO_EMO) + rng.choice(bg.WEIBO_TAGS)
        # telegram: short, no punctuation
        s = clause
        if rng.random() < 0.35:
            s += " " + detail.split("，")[0]
        return s

    def roughen(self, text, src):
        rng = self.rng
        if src in ("wechat", "weibo", "telegram") and rng.random() < 0.12:
            pairs = [p for p in bg.TYPOS if p[0] in text]
            if pairs:
                a, b = rng.choice(pairs)
                text = text.replace(a, b, 1)
        if src == "wechat" and rng.random() < 0.25 and "我们" in text:
            text = text.replace("我们", "阿拉", 1)
        return text

    def make(self, t, windows, used_texts):
        rng = self.rng
        src = rng.choices([s for s, _ in SRC_W], [w for _, w in SRC_W])[0]
        for _ in range(400):
            tp = rng.choice(bg.TOPICS)
            ci = rng.randrange(len(tp["cores"]))
            core, detail = tp["cores"][ci]
            if tp["kind"] == "lost" and src in ("12345", "web"):
                continue
            ck = (tp["key"], ci)
            if self.core_use.get(ck, 0) >= tp["maxuse"]:
                continue
            g, place, shown = self.pick_place(tp)
            wording = None
            if place is None:
                nones = list(tp["none"])
                if tp["q"]:
                    nones = ["舟山", "本地", "这边"] + ([""] if core.startswith("{p}") else [])
                shown = rng.choice(nones)
                wording = (tp["key"], ci, shown)
                if self.placeless.get(wording, 0) >= 2:
                    continue
            else:
                if (tp["key"], place) in self.topic_place:
                    continue
            text = self.render(tp, core, detail, shown, src)
            text = self.roughen(text, src)
            if text in used_texts or not single_ok(text, t, windows):
                continue
            m = mask(text)
            thr = 0.78 if tp["q"] else 0.84
            if any(difflib.SequenceMatcher(None, m, o).ratio() > thr for o in self.by_topic.get(tp["key"], [])):
                continue
            # accept
            self.core_use[ck] = self.core_use.get(ck, 0) + 1
            if place is None:
                self.placeless[wording] = self.placeless.get(wording, 0) + 1
            else:
                self.topic_place.add((tp["key"], place))
            self.by_topic.setdefault(tp["key"], []).append(m)
            return dict(text=text, source=src, label="single",
                        meta=dict(kind="topic", topic=tp["key"], core=ci, gran=g, place=place,
                                  wording=None if wording is None else "|".join(map(str, wording))))
        raise RuntimeError("could not make a background message at %s" % t)


# ---------------------------------------------------------------------------
def single_times(rng):
    times = []
    for d, n in enumerate(SINGLES_PER_DAY):
        day = DAY0 + dt.timedelta(days=d)
        hw = HOUR_W_WEEKEND if d >= 5 else HOUR_W
        for _ in range(n):
            h = rng.choices(range(24), hw)[0]
            times.append(day + dt.timedelta(hours=h, minutes=rng.randrange(60), seconds=rng.randrange(60)))
    times.sort()
    return times


def build():
    rng = random.Random(SEED)
    windows = burst_windows()
    msgs = []
    # bursts
    for b in BURSTS:
        st = parse_local(b["start"])
        for off, src, text in b["msgs"]:
            t = st + dt.timedelta(minutes=off, seconds=rng.randrange(60))
            msgs.append(dict(time=t, text=text, source=src, label="burst:" + b["name"],
                             meta=dict(kind="burst")))
    # decoys
    for g in DECOYS:
        for n, place, what, items in g["matters"]:
            for when, src, text in items:
                day, hm = when.split()
                t = dt.datetime.strptime("2027-03-%s %s" % (day, hm), "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
                t += dt.timedelta(seconds=rng.randrange(60))
                msgs.append(dict(time=t, text=text, source=src, label="decoy:%s:%d" % (g["group"], n),
                                 meta=dict(kind="decoy", place=place)))
    used = {m["text"] for m in msgs}
    # background
    times = single_times(rng)
    free = list(range(len(times)))
    rng.shuffle(free)
    taken = set()
    oneoffs = list(bg.ONE_OFFS)
    rng.shuffle(oneoffs)
    for kind, src, text in oneoffs:
        assert text not in used, text
        for i in free:
            if i in taken:
                continue
            t = times[i]
            if (kind == "news" or src == "news") and not (7 <= t.hour <= 19):
                continue
            if kind == "letter" and not (7 <= t.hour <= 22):
                continue
            if not single_ok(text, t, windows):
                continue
            if kind in ("short", "followup") and in_any_window(t, windows, 3):
                continue
            taken.add(i)
            used.add(text)
            msgs.append(dict(time=t, text=text, source=src, label="single",
                             meta=dict(kind="oneoff:" + kind)))
            break
        else:
            raise RuntimeError("no slot for one-off " + text)
    gen = BG(rng)
    for i, t in enumerate(times):
        if i in taken:
            continue
        m = gen.make(t, windows, used)
        used.add(m["text"])
        m["time"] = t
        msgs.append(m)
    msgs.sort(key=lambda m: (m["time"], m["label"], m["text"]))
    for k, m in enumerate(msgs, 1):
        m["id"] = "s11-%05d" % k
    return msgs


def main():
    msgs = build()
    with open(OUT, "w", encoding="utf-8") as f:
        for m in msgs:
            f.write(json.dumps(dict(id=m["id"], time=iso(m["time"]), text=m["text"],
                                    source=m["source"], label=m["label"]), ensure_ascii=False) + "\n")
    print("wrote %d messages to %s" % (len(msgs), OUT))


if __name__ == "__main__":
    main()
