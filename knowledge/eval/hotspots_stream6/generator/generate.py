# -*- coding: utf-8 -*-
"""Generate stream6: /work/eval-staging/stream6/stream.jsonl and README.md.

Python 3 standard library only.  Fixed seed -> reproducible output.
Usage:  python3 generator/generate.py
"""
import json
import os
import random
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from bursts import BURSTS  # noqa: E402
from decoys import DECOYS  # noqa: E402
import singles as S  # noqa: E402
import slots as L  # noqa: E402

SEED = 20261116
rng = random.Random(SEED)

TZ = timezone(timedelta(hours=8))
WEEK_START = datetime(2026, 11, 16, 0, 0, tzinfo=TZ)
WEEK_END = datetime(2026, 11, 22, 23, 59, tzinfo=TZ)
TOTAL_TARGET = 1800
SRC_CODE = {"1": "12345", "p": "portal", "w": "wechat", "t": "telegram", "b": "weibo"}
SRC_SHARE = {"12345": 0.40, "portal": 0.15, "wechat": 0.20, "telegram": 0.05, "weibo": 0.20}

# hourly activity profiles (relative weights, hour 0..23)
HOUR_GOV = [0.6, 0.3, 0.2, 0.15, 0.2, 0.4, 1.0, 2.5, 7, 9.5, 9.5, 7.5,
            3.5, 4, 7.5, 8.5, 7.5, 5, 3, 3, 3, 2.5, 1.5, 1]
HOUR_SOCIAL = [1.5, 0.8, 0.4, 0.2, 0.2, 0.4, 1.2, 3, 5.5, 6.5, 6.5, 6,
               5, 4.5, 6, 6.5, 6, 5.5, 5, 6, 6.5, 6, 4, 2.5]
DAY_GOV = [1.08, 1.05, 1.0, 1.0, 1.0, 0.72, 0.65]
DAY_SOCIAL = [0.95, 0.95, 0.95, 0.95, 1.0, 1.15, 1.1]


def parse_local(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)


def fmt(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:00+08:00")


def weighted(items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


records = []  # dicts: time(datetime), text, source, label

# ------------------------------------------------------------------ bursts
burst_meta = []
for b in BURSTS:
    start = parse_local(b["start"])
    msgs = b["msgs"]
    n = len(msgs)
    assert 15 <= n <= 30, b["name"]
    fifth = b["fifth"]
    assert 15 <= fifth <= 40
    offs = [0]
    mid = sorted(rng.sample(range(2, fifth - 1), 3))
    offs += mid + [fifth]
    rest = []
    for _ in range(n - 5):
        u = rng.random() ** 1.5  # denser early, trickling later
        rest.append(fifth + 1 + int(u * (b["span"] - fifth - 1)))
    rest.sort()
    rest[-1] = b["span"]  # last report at the end of the span
    offs += rest
    for (src, text), off in zip(msgs, offs):
        t = start + timedelta(minutes=off)
        assert WEEK_START <= t <= WEEK_END, (b["name"], t)
        records.append({"time": t, "text": text, "source": SRC_CODE[src],
                        "label": "burst:" + b["name"]})
    burst_meta.append(b)

# ------------------------------------------------------------------ decoys
for g in DECOYS:
    assert 1 <= len(g["matters"]) <= 7
    for i, m in enumerate(g["matters"], 1):
        assert 1 <= len(m["msgs"]) <= 3
        for (ts, src, text) in m["msgs"]:
            records.append({"time": parse_local(ts), "text": text, "source": SRC_CODE[src],
                            "label": "decoy:%s:%d" % (g["group"], i)})

# ------------------------------------------------------------------ singles
fixed_by_src = Counter(r["source"] for r in records)
n_singles = TOTAL_TARGET - len(records)
single_quota = {}
for src, share in SRC_SHARE.items():
    single_quota[src] = round(TOTAL_TARGET * share) - fixed_by_src[src]
diff = n_singles - sum(single_quota.values())
single_quota["12345"] += diff

SLOT_RE = re.compile(r"\{(\w+)\}")


def fill(tpl):
    def pick(name):
        return {
            "dist": L.DISTRICTS, "town": L.TOWNS, "road": L.ROADS, "comm": L.COMMS,
            "shop": L.SHOPS, "bus": L.BUSES, "spot": L.SPOTS, "food": L.FOODS,
            "n": L.NUMS, "money": L.MONEY, "month": L.MONTHS, "age": L.AGES,
            "years": L.YEARS, "company": L.COMPANIES, "job": L.JOBS, "prov": L.PROVS,
            "wd": L.WEEKDAYS, "fresh": L.FRESH, "grocer": L.GROCERS, "eatery": L.EATERIES, "island": L.ISLANDS,
        }[name]
    used = {}

    def rep(m):
        name = m.group(1)
        vals = pick(name)
        v = rng.choice(vals)
        # two identical slots in one template (e.g. two roads) -> different values
        while name in used and v in used[name] and len(vals) > 1:
            v = rng.choice(vals)
        used.setdefault(name, set()).add(v)
        return v
    return SLOT_RE.sub(rep, tpl)


def wrap(core, kind, src):
    if src == "12345":
        if kind == "ask":
            p, s = rng.choice(S.PFX_1_ASK), rng.choice(S.SFX_1_ASK)
        elif kind == "complain":
            p, s = rng.choice(S.PFX_1_COMPLAIN), rng.choice(S.SFX_1_COMPLAIN)
        elif kind == "suggest":
            p, s = rng.choice(S.PFX_1_SUGGEST), ""
        else:
            p, s = rng.choice(S.PFX_1_PRAISE), ""
        return p + core + s
    if src == "portal":
        tags = {"ask": ["【咨询】", "您好，", "", "你好！", "尊敬的领导："],
                "complain": ["【投诉】", "尊敬的领导：", "", "您好，", "【反映问题】"],
                "suggest": ["【建议】", "", "您好，", "尊敬的领导："],
                "praise": ["【表扬】", "", "您好，"],
                "chat": ["", "您好，"]}[kind]
        return rng.choice(tags) + core + rng.choice(S.SFX_P)
    if src == "wechat":
        if kind == "complain":
            p = rng.choice(["", "", "吐槽一下，", "说个事，", "气死了，", "想问问大家，"])
        elif kind == "ask":
            p = rng.choice(S.PFX_W)
        else:
            p = ""
        return p + core + rng.choice(S.SFX_W[kind])
    if src == "telegram":
        c = core.rstrip("。！")
        if kind != "ask" and not c.endswith("？"):
            return c
        return rng.choice(S.PFX_T) + c + rng.choice(S.SFX_T)
    # weibo
    pre = ""
    if kind == "complain":
        pre = rng.choice(["", "吐槽：", "@舟山发布 ", "真的无语，", "", "求扩散，"])
    elif kind == "ask":
        pre = rng.choice(["", "求问：", "有没有懂的？", "@舟山12345 "])
    elif kind == "praise":
        pre = rng.choice(["", "必须点赞！", "暖心一幕："])
    tags = rng.sample(L.TAGS, rng.choice([0, 1, 1, 2]))
    tail = rng.choice(L.EMOJI_BY_KIND.get(kind, L.EMOJI))
    text = pre + core + tail
    if tags:
        text += " " + " ".join(tags)
    return text


def hour_for(text, kind, src):
    if kind == "chat":
        for kws, hrs in [(("早高峰", "早上", "日出", "早餐"), range(6, 10)),
                         (("傍晚", "晚霞", "下班"), range(17, 20)),
                         (("半夜",), (0, 1, 2)),
                         (("加班到九点",), (21, 22)),
                         (("晚饭", "夜排档", "夜跑", "晚上"), range(18, 23))]:
            if any(k in text for k in kws):
                return rng.choice(list(hrs))
    prof = HOUR_GOV if src in ("12345", "portal") else HOUR_SOCIAL
    return weighted(list(range(24)), prof)


def day_for(src):
    prof = DAY_GOV if src in ("12345", "portal") else DAY_SOCIAL
    return weighted(list(range(7)), prof)


seen = set(r["text"] for r in records)
assert len(seen) == len(records), "duplicate burst/decoy text"
tpl_use = Counter()
src_key = {"12345": "1", "portal": "p", "wechat": "w", "telegram": "t", "weibo": "b"}


NEAR_DUP = 0.78
tpl_texts = defaultdict(list)


def bigrams(t):
    return set(t[i:i + 2] for i in range(len(t) - 1))


def cap(tpl):
    return 2 if not SLOT_RE.search(tpl) else 7


for src, quota in sorted(single_quota.items()):
    k = src_key[src]
    cats = [c for c in S.CATS if c["src"].get(k, 0) > 0]
    cw = [c["src"][k] for c in cats]
    made = 0
    tries = 0
    while made < quota:
        tries += 1
        assert tries < 200000, "cannot fill quota for " + src
        cat = weighted(cats, cw)
        avail = [t for t in cat["t"] if tpl_use[t] < cap(t)]
        if not avail:
            continue
        if tries > 20000 and rng.random() < 0.5:
            avail = [t for c in cats for t in c["t"] if tpl_use[t] < cap(t)]
        lo = min(tpl_use[t] for t in avail)
        tpl = rng.choice([t for t in avail if tpl_use[t] <= lo + 1])
        core = fill(tpl)
        text = wrap(core, cat["kind"], src)
        if text in seen:
            continue
        # near-duplicate guard: reject if too similar to an earlier use of the same template
        bg = bigrams(text)
        if any(len(bg & o) / len(bg | o) >= NEAR_DUP for o in tpl_texts[tpl]):
            continue
        tpl_texts[tpl].append(bg)
        seen.add(text)
        tpl_use[tpl] += 1
        d = day_for(src)
        h = hour_for(text, cat["kind"], src)
        t = WEEK_START + timedelta(days=d, hours=h, minutes=rng.randrange(60))
        records.append({"time": t, "text": text, "source": src, "label": "single",
                        "_cat": cat["name"]})
        made += 1

# ------------------------------------------------------------------ write
rng.shuffle(records)
records.sort(key=lambda r: r["time"])
with open(os.path.join(OUT, "stream.jsonl"), "w", encoding="utf-8") as f:
    for i, r in enumerate(records, 1):
        r["id"] = "s6-%04d" % i
        f.write(json.dumps({"id": r["id"], "time": fmt(r["time"]), "text": r["text"],
                            "source": r["source"], "label": r["label"]},
                           ensure_ascii=False) + "\n")

# ------------------------------------------------------------------ README
lab = Counter()
for r in records:
    l = r["label"]
    lab["burst" if l.startswith("burst:") else "decoy" if l.startswith("decoy:") else "single"] += 1
srcc = Counter(r["source"] for r in records)
by_label = defaultdict(list)
for r in records:
    by_label[r["label"]].append(r)

L_ = []
w = L_.append
w("# stream6 — Zhoushan 政务舆情 burst-detection evaluation stream")
w("")
w("**Written blind.** This stream was written without seeing the monitoring system's code, tests, "
  "configuration, dictionaries or any earlier stream, and it has **not been run against the system**. "
  "All school, estate, supermarket and community names are fictional; place names of districts, towns "
  "and roads are real Zhoushan names used for realism.")
w("")
w("Period: 2026-11-16T00:00+08:00 – 2026-11-22T23:59+08:00. Generated by `generator/generate.py` "
  "(Python 3 stdlib, seed %d). Check with `python3 verify.py` (output in `verify_output.txt`)." % SEED)
w("")
w("## Label counts")
w("")
w("| label kind | messages |")
w("|---|---|")
for k in ("burst", "decoy", "single"):
    w("| %s | %d |" % (k, lab[k]))
w("| **total** | **%d** |" % len(records))
w("")
w("## Sources")
w("")
w("| source | messages | share |")
w("|---|---|---|")
for s_ in ("12345", "portal", "wechat", "telegram", "weibo"):
    w("| %s | %d | %.1f%% |" % (s_, srcc[s_], 100.0 * srcc[s_] / len(records)))
w("")
w("## Bursts (8 events)")
w("")
w("Label `burst:<name>`. \"1st→5th\" = minutes from the first to the fifth report.")
w("")
w("| name | count | first | last | 1st→5th (min) | what happened |")
w("|---|---|---|---|---|---|")
for b in burst_meta:
    rs = sorted(by_label["burst:" + b["name"]], key=lambda r: r["time"])
    d5 = int((rs[4]["time"] - rs[0]["time"]).total_seconds() // 60)
    w("| %s | %d | %s | %s | %d | %s |" % (b["name"], len(rs), fmt(rs[0]["time"])[:16],
                                          fmt(rs[-1]["time"])[:16], d5, b["what"]))
w("")
w("### Place words per burst")
w("")
for b in burst_meta:
    rs = by_label["burst:" + b["name"]]
    noplace = sum(1 for r in rs if not any(p in r["text"] for p in b["places"]))
    srcs = Counter(r["source"] for r in rs)
    w("- **%s**: %s — %d of %d reports contain none of these words; sources %s" % (
        b["name"], "、".join(b["places"]), noplace, len(rs),
        ", ".join("%s %d" % kv for kv in sorted(srcs.items()))))
w("")
w("Each burst mixes exact-place reports, district/landmark-only reports, reports with no place "
  "(\"我们小区…\"), effect-only descriptions, Weibo posts with emotion/hashtags, calm 12345 tickets, "
  "follow-ups, questions, a rumour and/or a correction.")
w("")
w("## Decoy groups (6)")
w("")
w("Label `decoy:<group>:<n>`. Each matter n is a separate small matter (own place, own time); "
  "matters of one group look alike but must NOT be merged into one alert.")
w("")
for g in DECOYS:
    gl = [r for r in records if r["label"].startswith("decoy:%s:" % g["group"])]
    w("### %s — %s (%d messages, %d matters)" % (g["group"], g["what"], len(gl), len(g["matters"])))
    w("")
    w("| n | place | messages | times |")
    w("|---|---|---|---|")
    for i, m in enumerate(g["matters"], 1):
        rs = sorted(by_label["decoy:%s:%d" % (g["group"], i)], key=lambda r: r["time"])
        w("| %d | %s | %d | %s |" % (i, m["place"], len(rs),
                                     ", ".join(fmt(r["time"])[5:16].replace("T", " ") for r in rs)))
    w("")
w("The last two groups are routine service questions asked independently by different people "
  "over the week; each asker is their own matter.")
w("")
w("## Singles")
w("")
w("%d everyday messages (consultations on social insurance, housing fund, residence permits, school "
  "enrolment, hukou, medical insurance, business licences, fishing permits, property certificates, "
  "retirement, employment, driving admin, transport, elderly/disability services, tax; complaints about "
  "one neighbour / shop / bus driver / road / estate / employer; suggestions; praise; Weibo/WeChat chatter "
  "about weather, food, tourism, traffic, daily life). Built from %d hand-written templates in "
  "`generator/singles.py` with slot values from `generator/slots.py`, per-source wrappers, each template "
  "used at most 7 times (slot-free ones at most twice), all texts unique. Decoy topics (night construction "
  "noise, street lamps, potholes, barking dogs, ID-card renewal, bulky rubbish) and the burst kinds are "
  "kept out of the singles." % (lab["single"], sum(len(c["t"]) for c in S.CATS)))
w("")
lens = [len(r["text"]) for r in records if r["label"] == "single"]
w("Single text length: min %d, median %d, max %d characters." % (
    min(lens), sorted(lens)[len(lens) // 2], max(lens)))
w("")
w("Hard negatives inside the singles (labelled `single`, one-off matters): a few individual prepaid "
  "membership-card refund complaints, one-off stomach upsets after eating at a restaurant, single bus-driver "
  "complaints about other routes, single estate complaints (rubbish bins not emptied, broken gate). They "
  "share words with some bursts but are scattered across places and days.")
w("")
w("## Files")
w("")
w("- `stream.jsonl` — the stream (fields: id, time, text, source, label)")
w("- `generator/generate.py` — generator; `generator/bursts.py`, `generator/decoys.py`, "
  "`generator/singles.py`, `generator/slots.py` — hand-written phrase lists")
w("- `verify.py`, `verify_output.txt` — checks and their output")
w("")
with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8") as f:
    f.write("\n".join(L_))

print("records", len(records), dict(lab), dict(srcc))
print("template uses max", max(tpl_use.values()), "templates used", len(tpl_use))
