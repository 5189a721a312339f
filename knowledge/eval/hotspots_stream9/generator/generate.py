# -*- coding: utf-8 -*-
"""Generate hotspots_stream9/stream.jsonl (Python 3 standard library only, fixed seed).

Usage: python3 generator/generate.py   (run from anywhere; writes next to generator/)
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

SEED = 20261207
TARGET_TOTAL = 1765
TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 7, 0, 0, tzinfo=TZ)
END = dt.datetime(2026, 12, 13, 23, 59, 59, tzinfo=TZ)
OUT_DIR = os.path.dirname(HERE)

rng = random.Random(SEED)

# ---------------------------------------------------------------- time rhythm
HOUR_W = [0.35, 0.2, 0.12, 0.08, 0.08, 0.18, 0.5, 1.1, 2.2, 3.0, 3.1, 2.6,
          1.5, 1.9, 2.8, 2.8, 2.6, 2.0, 1.4, 1.6, 1.9, 1.8, 1.2, 0.65]
DAY_W = [1.08, 1.0, 1.0, 1.0, 1.02, 0.82, 0.78]   # Mon..Sun


def rand_time(night_ok=True):
    day = rng.choices(range(7), weights=DAY_W)[0]
    hw = HOUR_W if night_ok else [w if 7 <= h <= 22 else w * 0.15 for h, w in enumerate(HOUR_W)]
    hour = rng.choices(range(24), weights=hw)[0]
    return START + dt.timedelta(days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))


def parse_local(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)


# ---------------------------------------------------------------- places
ALL_PLACE_WORDS = set()
for d, info in bg.DISTRICTS.items():
    ALL_PLACE_WORDS.update([d, info["full"]] + info["streets"] + info["roads"])
ALL_PLACE_WORDS.update(bg.ESTATES)
ALL_PLACE_WORDS.update(["普陀山", "朱家尖", "桃花岛", "东极岛", "花鸟岛", "枸杞岛", "秀山岛", "舟山"])


def pick_district():
    return rng.choices(list(bg.DISTRICT_WEIGHTS), weights=list(bg.DISTRICT_WEIGHTS.values()))[0]


def short_street(s):
    return s[:-2] if s.endswith("街道") and rng.random() < 0.5 else s


def place_for(kind, req=False):
    """Return a place phrase ('' when none) for a topic's place kind."""
    d = pick_district()
    info = bg.DISTRICTS[d]
    r = rng.random()
    if kind == "road":
        if r < 0.22:
            return rng.choice(["家门口那条路", "小区外面的马路", "单位门口那条路", "{our}小区旁边那条路", "上班路上经过的一条路"])
        if r < 0.35:
            return rng.choice([d, info["full"]]) + rng.choice(["城区一条路", "一条主干道", "一条小路"])
        if r < 0.75:
            return rng.choice(["", d, info["full"]]) + rng.choice(info["roads"])
        return short_street(rng.choice(info["streets"])) + rng.choice(["一条支路", "的一条老街", "菜场边上那条路", "学校门口那条路"])
    if kind == "res":
        if r < 0.3:
            return "{our}小区"
        if r < 0.45:
            return rng.choice([d, info["full"]]) + rng.choice(["一个小区", "一个老小区", "某小区"])
        if r < 0.6:
            return short_street(rng.choice(info["streets"])) + rng.choice(["一个小区", "一个老小区", "某小区"])
        if r < 0.85:
            return rng.choice(bg.ESTATES)
        return rng.choice([d, short_street(rng.choice(info["streets"]))]) + rng.choice(["的", ""]) + rng.choice(bg.ESTATES)
    if kind == "res_c":      # leading place followed by a comma, may be empty
        if r < 0.45:
            return ""
        p = place_for("res", req)
        return "" if p.startswith("{our}") else p
    if kind == "shop":
        if r < 0.3 and not req:
            return ""
        if r < 0.45:
            return rng.choice(["楼下", "家附近", "小区对面"])
        if r < 0.65:
            return rng.choice([d, info["full"]])
        if r < 0.85:
            return rng.choice(info["roads"]) + "上"
        return short_street(rng.choice(info["streets"]))
    if kind == "area":
        if r < 0.25 and not req:
            return ""
        if req:
            return rng.choice(["普陀山", "朱家尖", "桃花岛", "东极岛", "嵊泗", "花鸟岛", "枸杞岛", "岱山", "六横", "秀山岛", "衢山", "长涂", "虾峙", "金塘"])
        if r < 0.6:
            return rng.choice([d, info["full"]])
        return short_street(rng.choice(info["streets"]))
    # kind none: mostly empty
    if r < 0.65 and not req:
        return ""
    if r < 0.85:
        return rng.choice([d, info["full"]])
    return short_street(rng.choice(info["streets"]))


REQ_TOPICS = {"q_ferry", "q_driving", "q_ebike", "scenic_complaint"}
RES_C_TOPICS = {"neighbor_noise", "renovation_rules", "roof_leak", "illegal_building", "pet_issue", "ac_drip"}


def fill_place(text, p):
    if "{pc}" in text:
        text = text.replace("{pc}", (p + "，") if p else "")
    if p:
        return text.replace("{p}", p)
    text = re.sub(r"在\{p\}(的)?(?=一家|医院|网点|工地)", "在", text)
    text = text.replace("在{p}", "").replace("从{p}", "").replace("{p}的", "").replace("{p}", "")
    return text


def fill_tokens(text, third):
    text = text.replace("{my}", "其" if third else "我")
    text = text.replace("{our}", "其所在" if third else "我们")
    while "{dur}" in text:
        text = text.replace("{dur}", rng.choice(bg.DUR), 1)
    while "{tm}" in text:
        text = text.replace("{tm}", rng.choice(bg.TM), 1)
    while "{shop}" in text:
        text = text.replace("{shop}", rng.choice(bg.SHOPS_GENERIC), 1)
    return text


# ---------------------------------------------------------------- framing
SRC_W = {
    "c": {"12345": 40, "portal": 18, "wechat": 18, "telegram": 9, "weibo": 15},
    "q": {"12345": 42, "portal": 26, "wechat": 20, "telegram": 8, "weibo": 4},
    "p": {"12345": 36, "portal": 30, "wechat": 10, "telegram": 3, "weibo": 21},
    "s": {"12345": 30, "portal": 40, "wechat": 12, "telegram": 6, "weibo": 12},
}
OPEN_12345 = {
    "c": ["来电人反映：", "来电人反映，", "市民来电反映：", "来电人称，", "来电人表示，", "市民来电称，", "来电人投诉：", "群众来电：", "来电人来电反映，", "来电人诉求："],
    "q": ["来电人咨询：", "来电人咨询，", "市民来电咨询：", "来电人询问：", "来电人想了解：", "市民来电询问，"],
    "p": ["来电人表扬：", "市民来电表扬，", "来电人来电表示感谢：", "来电人称，"],
    "s": ["来电人建议：", "市民来电建议，", "来电人提出建议："],
}
CLOSE_12345 = {
    "c": ["请相关部门处理。", "希望尽快解决。", "请求核实处理。", "要求给予答复。", "望有关部门重视。", "", "", "来电人要求回复处理结果。"],
    "q": ["请告知。", "希望得到答复。", "", "", "请相关部门答复。"],
    "p": ["", "", "请转达感谢。"],
    "s": ["", "请相关部门研究。"],
}
EXTRA_12345 = ["来电人称此前已反映过，未得到解决。", "来电人表示该问题已持续较长时间。", "来电人称周边居民意见较大。",
               "来电人要求电话回复。", "来电人情绪较为激动。", "来电人称如无人处理将继续反映。", "来电人已拍照留存。",
               "来电人称不清楚具体责任单位。", "来电人希望工作人员到现场查看。"]
OPEN_PORTAL = ["您好，", "领导您好，", "你好，", "", "", "尊敬的领导：", "反映一个问题：", "打扰了，", "我是一名普通市民，"]
OPEN_PORTAL_Q = ["您好，", "你好，", "", "请问一下，", "打扰一下，", "咨询一下："]
OPEN_PORTAL_P = ["", "您好，", "写信表扬一下：", "我想表扬一下，"]
SIGN_PORTAL = ["", "", "谢谢！", "盼复。", "谢谢领导。", "辛苦了。"]
WEIBO_PRE = ["", "", "吐槽一下：", "真的无语了，", "忍不了了！", "又来了，", "有没有人管管？", "说个事，", "服了，"]
WEIBO_SUF = ["", "#舟山#", "@舟山发布", "#舟山身边事#", "😤", "#舟山头条#", "求扩散", "有同感的吗"]
WEIBO_PRE_P = ["", "暖心！", "必须夸一下，", "今天被暖到了，", "给舟山点个赞，"]
WECHAT_PRE_Q = ["请问", "问一下，", "麻烦问下，", "", "你好，请问"]
WECHAT_PRE_C = ["", "", "反映个事，", "你好，", "那个，"]


def q12345(text):
    for a, b in (("提个建议，", ""), ("想问一下", "询问"), ("想问", "询问"), ("想了解", "咨询"), ("麻烦告知一下", ""), ("麻烦告知", "")):
        text = text.replace(a, b)
    return text


def join(parts):
    parts = [x for x in parts if x]
    return "，".join(parts)


def render(topic, pair, det, ask, src):
    ty = topic["type"]
    third = src == "12345"
    subj, prob = pair
    kind = topic["kind"]
    if topic["name"] in RES_C_TOPICS:
        p = place_for("res_c")
    else:
        p = place_for(kind, topic["name"] in REQ_TOPICS)
    core = fill_place(subj + prob, p)
    det = fill_place(det, p) if det else det
    if src == "telegram":
        det = det if rng.random() < 0.3 else ""
        ask = ask if rng.random() < 0.3 else ""
    if ty == "q":
        if src == "12345":
            body = q12345(join([core, det]))
            text = rng.choice(OPEN_12345["q"]) + body + "。" + rng.choice(CLOSE_12345["q"])
        else:
            q = core + "？"
            rest = join([det, ask])
            if rest:
                rest += "？" if re.search("什么|吗|怎么|哪|是不是", ask or "") else "。"
            rest_np = rest[:-1] if rest else rest
            if src == "portal":
                text = rng.choice(OPEN_PORTAL_Q) + q + rest
            elif src == "wechat":
                pre = rng.choice(WECHAT_PRE_Q)
                if pre.endswith("请问") and ("想问" in q or q.startswith("{")):
                    pre = ""
                text = pre + q + rest_np
            elif src == "telegram":
                text = core + rng.choice(["？", "", "?"])
            else:
                text = rng.choice(["", "求助：", "有没有知道的，"]) + q + rest + rng.choice(["", "#舟山#", "在线等"])
    else:
        body = join([core, det, ask])
        if src == "12345":
            close = rng.choice(CLOSE_12345[ty]) if (not ask or rng.random() < 0.35) else ""
            extra = rng.choice(EXTRA_12345) if (ty == "c" and rng.random() < 0.35) else ""
            text = rng.choice(OPEN_12345[ty]) + q12345(body) + "。" + extra + close
        elif src == "portal":
            op = OPEN_PORTAL_P if ty == "p" else OPEN_PORTAL
            text = rng.choice(op) + body + "。" + rng.choice(SIGN_PORTAL)
        elif src == "wechat":
            text = (rng.choice(WECHAT_PRE_C) if ty != "p" else "") + body + rng.choice(["", "。", "！"])
        elif src == "telegram":
            text = body + rng.choice(["", "", "。"])
        else:
            pre = rng.choice(WEIBO_PRE_P if ty == "p" else WEIBO_PRE)
            text = pre + body + rng.choice(["！", "。", "…"]) + rng.choice(WEIBO_SUF if ty != "p" else ["", "#舟山#", "👍"])
    text = fill_tokens(text, third)
    text = text.replace("其的", "其")
    text = re.sub("，，+", "，", text).replace("，。", "。").replace("。。", "。").replace("？。", "？")
    return text.strip()


MASK_RE = None


def masked(t):
    global MASK_RE
    if MASK_RE is None:
        words = sorted(ALL_PLACE_WORDS, key=len, reverse=True)
        MASK_RE = re.compile("|".join(re.escape(w) for w in words))
    return re.sub(r"^(来电人|市民来电|群众来电)[^：，]{0,6}[：，]", "", MASK_RE.sub("", t))


# ---------------------------------------------------------------- build
def build():
    records = []
    texts = set()

    def add(time, text, src, label):
        assert text not in texts, text
        assert 10 <= len(text) <= 200, (len(text), text)
        texts.add(text)
        records.append({"time": time, "text": text, "source": src, "label": label})

    # bursts
    for b in BURSTS:
        t0 = parse_local(b["start"])
        for off, src, text in b["msgs"]:
            t = t0 + dt.timedelta(minutes=off, seconds=rng.randrange(0, 50))
            add(t, text, src, "burst:" + b["name"])
    # decoys
    for g, info in DECOYS.items():
        for n, ts, src, text in info["msgs"]:
            add(parse_local(ts) + dt.timedelta(seconds=rng.randrange(60)), text, src, "decoy:%s:%d" % (g, n))
    n_struct = len(records)
    n_bg = TARGET_TOTAL - n_struct
    # one-offs (first person: never framed as 12345)
    for text in bg.ONE_OFFS:
        src = rng.choices(["portal", "wechat", "telegram", "weibo"], weights=[35, 35, 10, 20])[0]
        add(rand_time(), text, src, "single")
    n_topic = n_bg - len(bg.ONE_OFFS)
    # allocate per topic by weight, capped by capacity (each subj+prob pair at most twice)
    tw = sum(t["w"] for t in bg.TOPICS)
    def pairs_of(t):
        if "sp" in t:
            return [(s, p) for s, plist in t["sp"] for p in plist]
        return [(s, p) for s in t["subj"] for p in t["prob"]]

    def reuse_of(t):
        # a core sentence may come back only with a different detail AND a different request;
        # a third use only where the topic has enough distinct tails
        return 3 if len(t["det"]) >= 3 and len(t["ask"]) >= 3 else 2
    def prob_cap(t):
        # the same problem sentence at most 4 times a week (questions: 3), each time with another subject or tail
        return 3 if t["type"] == "q" else 4

    def cap_of(t):
        c = {}
        for s, p in pairs_of(t):
            c[p] = c.get(p, 0) + reuse_of(t)
        return sum(min(prob_cap(t), v) for v in c.values())
    caps = {t["name"]: cap_of(t) for t in bg.TOPICS}
    alloc = {t["name"]: min(caps[t["name"]], round(n_topic * t["w"] / tw)) for t in bg.TOPICS}
    while sum(alloc.values()) != n_topic:
        diff = n_topic - sum(alloc.values())
        cand = [t for t in bg.TOPICS if (alloc[t["name"]] < caps[t["name"]] if diff > 0 else alloc[t["name"]] > 3)]
        t = rng.choices(cand, weights=[c["w"] for c in cand])[0]
        alloc[t["name"]] += 1 if diff > 0 else -1
    stats = {"max_ratio": 0.0, "retries": 0}
    for topic in bg.TOPICS:
        pairs = pairs_of(topic)
        maxuse = reuse_of(topic)
        pcap = prob_cap(topic)
        prob_used = {}
        used = {pr: [] for pr in pairs}
        prev_masked = []
        for _ in range(alloc[topic["name"]]):
            for attempt in range(60):
                cands = [pr for pr in pairs if len(used[pr]) < maxuse and prob_used.get(pr[1], 0) < pcap]
                mn = min(len(used[pr]) for pr in cands)
                pair = rng.choice([pr for pr in cands if len(used[pr]) == mn])
                det = rng.choice(topic["det"]) if rng.random() < 0.6 else ""
                ask = rng.choice(topic["ask"]) if rng.random() < 0.6 else ""
                if any(det == od or ask == oa for od, oa in used[pair]):
                    continue   # a repeated core sentence must change both tails
                src = rng.choices(list(SRC_W[topic["type"]]), weights=list(SRC_W[topic["type"]].values()))[0]
                text = render(topic, pair, det, ask, src)
                if text in texts or not (10 <= len(text) <= 200):
                    continue
                m = masked(text)
                worst = max((difflib.SequenceMatcher(None, m, o).ratio() for o in prev_masked), default=0)
                if worst > 0.82:
                    stats["retries"] += 1
                    continue
                break
            else:
                raise SystemExit("could not place message for topic " + topic["name"])
            stats["max_ratio"] = max(stats["max_ratio"], worst)
            used[pair].append((det, ask))
            prob_used[pair[1]] = prob_used.get(pair[1], 0) + 1
            prev_masked.append(m)
            add(rand_time(night_ok=(topic["type"] == "c")), text, src, "single")
    records.sort(key=lambda r: r["time"])
    out = []
    for i, r in enumerate(records, 1):
        out.append({"id": "s9-%05d" % i, "time": r["time"].isoformat(), "text": r["text"],
                    "source": r["source"], "label": r["label"]})
    return out, stats


def main():
    out, stats = build()
    path = os.path.join(OUT_DIR, "stream.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("wrote", path, len(out), "messages; background near-dup max ratio %.3f, retries %d" % (stats["max_ratio"], stats["retries"]))


if __name__ == "__main__":
    main()
