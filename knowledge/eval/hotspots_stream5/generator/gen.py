# -*- coding: utf-8 -*-
"""Generate ../stream.jsonl and ../README.md (fixed seed).

python3 gen.py
"""
import json
import os
import random
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from bursts import BURSTS
from decoys import DECOYS
from background import CATS, COMMUNITIES, TOURIST, ONEOFFS
from places import TOWNS, AREA_FULL, ROADS, tokens_in

SEED = 20261105
TOTAL = 1800
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DAY0 = datetime(2026, 11, 2)
DAY_END = datetime(2026, 11, 8, 23, 59)
H = timedelta(hours=1)

# words that belong to burst / decoy problem types: never in a singleton
FORBIDDEN = ["电梯", "红绿灯", "信号灯", "脚手架", "滑坡", "塌方", "污水", "下水道", "走丢", "人贩子",
             "补贴", "短信", "系统故障", "停水", "路灯", "井盖", "窨井", "夜间施工", "打桩", "清运"]

rng = random.Random(SEED)


def fmt(t):
    return t.strftime("%Y-%m-%dT%H:%M:00+08:00")


# ---------------------------------------------------------------- bursts
messages = []  # dicts with t (datetime), text, source, label
burst_info = []
for b in BURSTS:
    start = datetime.fromisoformat(b["start"])
    k = len(b["reports"])
    end = start + timedelta(minutes=b["duration_min"])
    times = [start]
    for _ in range(4):
        times.append(times[-1] + timedelta(minutes=rng.randint(2, 10)))
    lo = times[-1]
    span = int((end - lo).total_seconds() // 60)
    rest = sorted(rng.sample(range(1, span), k - 6)) if k > 6 else []
    times += [lo + timedelta(minutes=m) for m in rest] + [end]
    assert len(times) == k
    for t, (src, text) in zip(times, b["reports"]):
        messages.append({"t": t, "text": text, "source": src, "label": "burst:" + b["name"]})
    toks = sorted(set(tok for _, tx in b["reports"] for tok in tokens_in(tx)))
    burst_info.append({"name": b["name"], "first": times[0], "last": times[-1], "tokens": toks,
                       "what": b["what"], "count": k,
                       "to5": int((times[4] - times[0]).total_seconds() // 60),
                       "sources": Counter(s for s, _ in b["reports"])})


def in_burst_window(t, pad_h):
    return any(bi["first"] - pad_h * H <= t <= bi["last"] + pad_h * H for bi in burst_info)


def place_conflict(t, text):
    """True if text names a place of a burst within 6 h of that burst."""
    toks = set(tokens_in(text))
    for bi in burst_info:
        if bi["first"] - 6 * H <= t <= bi["last"] + 6 * H and toks & set(bi["tokens"]):
            return True
    return False


# ---------------------------------------------------------------- decoys
decoy_info = []
for g in DECOYS:
    placed = []  # list of lists of datetimes
    for n, m in enumerate(g["matters"], 1):
        for attempt in range(10000):
            day = rng.randint(0, 6)
            h0, h1 = g["hours"]
            hour = rng.randint(h0, h1 - 1) if h1 > h0 else h0
            t0 = DAY0 + timedelta(days=day, hours=hour, minutes=rng.randint(0, 59))
            ts = [t0]
            for _ in m["texts"][1:]:
                ts.append(ts[-1] + timedelta(minutes=rng.randint(8, 75)))
            if ts[0] < DAY0 or ts[-1] > DAY_END:
                continue
            if any(in_burst_window(t, 3) for t in ts):
                continue
            if any(abs((a - c).total_seconds()) < 6 * 3600 for p in placed for a in p for c in ts):
                continue
            if any(place_conflict(t, tx) for t, (_, tx) in zip(ts, m["texts"])):
                continue
            # across groups too: decoys naming the same place are >= 6 h apart
            mt = set(tok for _, tx in m["texts"] for tok in tokens_in(tx))
            if any(mt & d["tokens"] and abs((a - c).total_seconds()) < 6 * 3600
                   for d in decoy_info for a in d["times"] for c in ts):
                continue
            break
        else:
            raise RuntimeError("cannot place decoy %s %d" % (g["group"], n))
        placed.append(ts)
        for t, (src, text) in zip(ts, m["texts"]):
            messages.append({"t": t, "text": text, "source": src,
                             "label": "decoy:%s:%d" % (g["group"], n)})
        decoy_info.append({"group": g["group"], "n": n, "place": m["place"], "times": ts,
                           "tokens": set(tok for _, tx in m["texts"] for tok in tokens_in(tx))})

# ---------------------------------------------------------------- singletons
HOUR_W = [0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.5, 1.0, 1.3, 1.6, 1.6, 1.4, 1.0, 1.0, 1.4, 1.5, 1.4,
          1.3, 1.1, 1.2, 1.2, 1.0, 0.7, 0.35]
F_PRE = ["", "", "", "", "您好，", "你好，", "您好！"]
F_SUF = ["", "", "", "谢谢。", "谢谢！", "麻烦了。", "盼复。", "望尽快处理。"]
S_PRE = ["", "", "", "", "", "说真的，", "讲个事，", "哎，"]
S_SUF = ["", "", "", "", "。", "！", "…", " [无语]", " #舟山#", " 😤", " 🤔", "～"]
NO_PRE = {"chatter", "praise"}


def place_form(formal):
    town, area, typ = rng.choice(TOWNS)
    forms = [town + typ, area + town, AREA_FULL[area] + town + typ if area != "新城" else "新城" + town + typ]
    if not formal:
        forms += [town, town + "这边", area + town]
    return rng.choice(forms)


def road_form():
    area = rng.choice(list(ROADS))
    road = rng.choice(ROADS[area])
    return rng.choice([road, road, area + road])


def render(tpl, opts, formal):
    def rep(mo):
        key = mo.group(1)
        if key == "P":
            return place_form(formal)
        if key == "R":
            return road_form()
        if key == "C":
            return rng.choice(COMMUNITIES)
        if key == "PT":
            return rng.choice(TOURIST)
        return rng.choice(opts[key])
    out = re.sub(r"\{(\w+)\}", rep, tpl)
    return out.replace("这边这边", "这边").replace("这边那边", "那边")


def rand_time():
    day = rng.randint(0, 6)
    hour = rng.choices(range(24), weights=HOUR_W)[0]
    return DAY0 + timedelta(days=day, hours=hour, minutes=rng.randint(0, 59))


def ok_single(t, text):
    if any(w in text for w in FORBIDDEN):
        return False
    if place_conflict(t, text):
        return False
    return True


texts_seen = set(m["text"] for m in messages)
recent = defaultdict(list)  # (cat, token) -> times ; ("tpl", id) -> times
n_single = TOTAL - len(messages)
singles = []

# one-offs first
for reg, text in ONEOFFS:
    for _ in range(1000):
        t = rand_time()
        if ok_single(t, text):
            break
    else:
        raise RuntimeError(text)
    src = (rng.choices(["12345", "portal"], [0.7, 0.3])[0] if reg == "f"
           else rng.choices(["weibo", "wechat", "telegram"], [0.47, 0.43, 0.10])[0])
    texts_seen.add(text)
    singles.append({"t": t, "text": text, "source": src, "label": "single"})

tpl_pool = []
for c in CATS:
    for i, tpl in enumerate(c.get("f", [])):
        tpl_pool.append((c["cat"], "f", i, tpl, c["o"]))
    for i, tpl in enumerate(c.get("s", [])):
        tpl_pool.append((c["cat"], "s", i, tpl, c["o"]))
TPL_CAP = 7  # a background template is used at most this many times
tpl_uses = Counter()
bodies_seen = set()
tpl_w = [1.0 if reg == "f" else 1.3 for _, reg, _, _, _ in tpl_pool]

while len(singles) < n_single:
    cat, reg, i, tpl, opts = rng.choices(tpl_pool, weights=tpl_w)[0]
    formal = reg == "f"
    body = render(tpl, opts, formal)
    if formal:
        text = rng.choice(F_PRE) + body
        if text.endswith(("。", "？")):
            text += rng.choice(F_SUF)
    else:
        if cat in NO_PRE:
            text = body + rng.choice(["", "", "。", "！", "～"])
        else:
            text = rng.choice(S_PRE) + body + rng.choice(S_SUF)
    if text in texts_seen or body in bodies_seen or tpl_uses[(cat, reg, i)] >= TPL_CAP:
        continue
    t = rand_time()
    if not ok_single(t, text):
        continue
    # no accidental mini-clusters: same category + same place within 24 h, same template within 18 h
    toks = tokens_in(text)
    keys = [(cat, tok) for tok in toks] + [("tpl", cat, reg, i)]
    lim = {True: 24 * 3600, False: 18 * 3600}
    if any(abs((t - u).total_seconds()) < lim[k[0] != "tpl"] for k in keys for u in recent[k]):
        continue
    for k in keys:
        recent[k].append(t)
    texts_seen.add(text)
    bodies_seen.add(body)
    tpl_uses[(cat, reg, i)] += 1
    src = (rng.choices(["12345", "portal"], [0.72, 0.28])[0] if formal
           else rng.choices(["weibo", "wechat", "telegram"], [0.47, 0.43, 0.10])[0])
    singles.append({"t": t, "text": text, "source": src, "label": "single"})

messages += singles
order = list(range(len(messages)))
rng.shuffle(order)  # random tie-break for identical minutes
messages = [messages[i] for i in order]
messages.sort(key=lambda m: m["t"])

with open(os.path.join(OUT, "stream.jsonl"), "w", encoding="utf-8") as f:
    for k, m in enumerate(messages, 1):
        f.write(json.dumps({"id": "s5-%04d" % k, "time": fmt(m["t"]), "text": m["text"],
                            "source": m["source"], "label": m["label"]}, ensure_ascii=False) + "\n")

# ---------------------------------------------------------------- README
lab = Counter(m["label"].split(":")[0] for m in messages)
src_all = Counter(m["source"] for m in messages)
L = []
L.append("# stream5 — held-out hotspot stream (Zhoushan, 2026-11-02 .. 2026-11-08)\n")
L.append("`stream.jsonl`: %d messages, one JSON object a line `{id, time, text, source, label}`, sorted by time "
         "(+08:00, minute resolution). Generated by `generator/gen.py` (seed %d) from hand-written burst reports "
         "(`generator/bursts.py`), hand-written decoy matters (`generator/decoys.py`) and hand-written background "
         "phrasing (`generator/background.py`, `generator/places.py`). Verified by `generator/verify.py`.\n" % (len(messages), SEED))
L.append("## Label counts\n")
L.append("| label | messages |\n|---|---|")
L.append("| single | %d |" % lab["single"])
L.append("| burst (8 events) | %d |" % lab["burst"])
L.append("| decoy (6 groups, %d matters) | %d |" % (len(decoy_info), lab["decoy"]))
L.append("| **total** | **%d** |\n" % len(messages))
L.append("Sources overall: " + ", ".join("%s %d" % kv for kv in sorted(src_all.items())) + "\n")
L.append("## Bursts\n")
L.append("| name | count | first | last | min 1st→5th | sources | what happened |\n|---|---|---|---|---|---|---|")
for bi in burst_info:
    L.append("| `burst:%s` | %d | %s | %s | %d | %s | %s |" % (
        bi["name"], bi["count"], fmt(bi["first"])[:16], fmt(bi["last"])[11:16], bi["to5"],
        " ".join("%s %d" % kv for kv in sorted(bi["sources"].items())), bi["what"]))
L.append("\nPlace tokens of each burst (used for the 6-hour singleton rule):\n")
for bi in burst_info:
    L.append("- `%s`: %s" % (bi["name"], "、".join(bi["tokens"]) or "(none)"))
L.append("\n## Decoy groups\n")
for g in DECOYS:
    rows = [d for d in decoy_info if d["group"] == g["group"]]
    L.append("### `decoy:%s:<n>` — %d matters, %d messages\n" % (
        g["group"], len(rows), sum(len(d["times"]) for d in rows)))
    L.append("| n | place | time(s) | count |\n|---|---|---|---|")
    for d in rows:
        L.append("| %d | %s | %s | %d |" % (d["n"], d["place"],
                 ", ".join(fmt(t)[5:16] for t in d["times"]), len(d["times"])))
    L.append("")
L.append("""## Rules followed

- 8 bursts, each one real event in Zhoushan, 15–28 reports each (all within 12–30), every sentence written by hand
  (no templates, no random prefixes/suffixes); mixed registers (angry, worried, factual, rumour / asking for
  confirmation); some name the exact place, some are vague (这边, 我们楼, 岛上), some name none.
  Burst types differ from the earlier streams' types.
- Burst timing: 1st→last report 2.5–4.75 h; the first five reports are 2–10 minutes apart (each gap).
- Background singletons: unrelated citizen matters (parking, road surface, pensions, hukou, schools, bus,
  waste sorting, neighbours, prices, permits, insurance, housing fund, property management, loudspeaker/KTV
  noise, e-bikes, taxis, tourism, fisheries, wages, renting, illegal structures, renovation, greenery, vendors,
  food hygiene, delivery, childcare, vehicle admin, clinics, bills, facilities, civil affairs, trucks, terminals,
  ads, policy questions, praise, everyday chatter, consumer disputes, sea safety, generic fraud) plus 99 one-off
  hand-written lines. All texts in the file are unique. Singletons never use the burst/decoy problem words
  (电梯, 红绿灯, 信号灯, 脚手架, 滑坡, 塌方, 污水, 下水道, 走丢, 人贩子, 补贴, 短信, 系统故障, 停水, 路灯, 井盖, 窨井,
  夜间施工, 打桩, 清运).
- No singleton names a burst's place (any gazetteer token appearing in that burst's reports, incl. district names)
  between 6 h before its first and 6 h after its last report. Decoys also respect this.
- Against accidental clusters: the same background category never names the same place twice within 24 h, and
  the same background template is not reused within 18 h; each template is used at most 7 times and the
  template body (without greeting/closing) is never repeated.
- Decoys: 6 groups of SEPARATE matters of one problem type (different place and/or day), 1–2 messages each
  (same label n = same matter; the 2nd message 8–75 min after the 1st, in different words). Matters of one group
  are at least 6 h apart (between any of their messages) and every decoy message is outside every burst window
  widened by ±3 h. Decoy matters of different groups that name the same place are also >= 6 h apart.
  A detector must not merge different n.
- No bad-input lines in this file.
""")
with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8") as f:
    f.write("\n".join(L))
print("wrote", len(messages), dict(lab))
