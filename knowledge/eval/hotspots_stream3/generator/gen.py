# -*- coding: utf-8 -*-
"""Generate /work/evaldata/stream3/stream.jsonl (deterministic, seed 3).
Usage: python3 gen.py            -> writes stream.jsonl next to this file and prints a summary
"""
import json, os, random, sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bursts_text import BURSTS, MIN_OFFSET, MAX_OFFSET
from decoys_text import DECOYS
from background_text import PLACES, COMM_A, COMM_B, PLACE_KINDS, QUESTIONS, PREFIXES, SUFFIXES

TZ = timezone(timedelta(hours=8))
R = random.Random(3)
TOTAL = 1800
DAY0 = datetime(2026, 10, 12, tzinfo=TZ)
DAYS = 7
SOURCES = ["12345", "weibo", "wechat", "portal", "telegram"]

def parse(md_hm, year=2026):
    return datetime.strptime(f"{year}-{md_hm}", "%Y-%m-%d %H:%M").replace(tzinfo=TZ)

msgs = []  # dicts: time(datetime), text, source, label
seen = set()

def add(t, text, source, label):
    assert text not in seen, text
    seen.add(text)
    msgs.append(dict(time=t, text=text, source=source, label=label))

# ---------------- bursts ----------------
def assign(name, b, texts, offs):
    """Order the sampled texts so that wordings mentioning elapsed time come late enough
    (MIN_OFFSET) and wordings describing the onset come early enough (MAX_OFFSET)."""
    mins, maxs = MIN_OFFSET.get(name, {}), MAX_OFFSET.get(name, {})
    lo = lambda t: max([m for k, m in mins.items() if k in t], default=0)
    hi = lambda t: min([m for k, m in maxs.items() if k in t], default=10 ** 6)
    free_t = lambda t: lo(t) == 0 and hi(t) == 10 ** 6
    spares = [t for t in b["texts"] if t not in texts and free_t(t)]
    slots = [None] * len(offs)
    for t in sorted([t for t in texts if not free_t(t)], key=lambda t: hi(t) - lo(t)):
        free = [i for i in range(len(offs)) if slots[i] is None and lo(t) <= offs[i] <= hi(t)]
        if free:
            slots[R.choice(free)] = t
        else:
            texts[texts.index(t)] = spares.pop()   # no fitting time: use a spare wording
    rest = [t for t in texts if free_t(t)]
    R.shuffle(rest)
    for i in range(len(slots)):
        if slots[i] is None:
            slots[i] = rest.pop()
    return slots

windows = {}  # name -> (start, nominal end, keys)
for name, b in BURSTS.items():
    start = datetime.fromisoformat(b["start"]).replace(tzinfo=TZ)
    span = b["hours"] * 60
    texts = R.sample(b["texts"], b["count"])
    offs = [0.0]
    for _ in range(4):                       # five reports within ~35 minutes
        offs.append(offs[-1] + R.uniform(2, 8))
    for _ in range(b["count"] - 5):          # tail thins out over the window
        offs.append(offs[4] + (span - offs[4]) * R.random() ** 1.6)
    offs.sort()
    texts = assign(name, b, texts, offs)
    for off, text in zip(offs, texts):
        t = start + timedelta(minutes=off, seconds=R.randint(0, 59))
        if text.startswith("@舟山发布"):
            src = "weibo"
        elif text.startswith("市长您好"):
            src = R.choice(["12345", "portal"])
        else:
            src = R.choices(SOURCES, [25, 30, 30, 5, 10])[0]
        add(t, text, src, f"burst:{name}")
    windows[name] = (start, start + timedelta(minutes=span), b["keys"])

# ---------------- decoys ----------------
for g, d in DECOYS.items():
    for n, (place, md, hm, k) in enumerate(d["matters"], 1):
        t0 = parse(f"{md} {hm}")
        tpls = R.sample(d["templates"], k)
        t = t0
        for i, tp in enumerate(tpls):
            if i:
                t = t + timedelta(minutes=R.uniform(10, 50))
            tt = t + timedelta(seconds=R.randint(0, 59))
            for name, (ws, we, _) in windows.items():
                assert not (ws - timedelta(hours=3) <= tt <= we + timedelta(hours=3)), (g, n, name)
            src = R.choices(SOURCES, [45, 15, 20, 12, 8])[0]
            add(tt, tp.format(p=place), src, f"decoy:{g}:{n}")

# ---------------- background ----------------
HOUR_W = [1, 0.5, 0.3, 0.3, 0.4, 0.8, 2, 4, 7, 9, 9, 8, 6, 6, 8, 8, 8, 7, 6, 6, 6, 5, 3, 2]

def rand_time():
    day = R.randrange(DAYS)
    h = R.choices(range(24), HOUR_W)[0]
    return DAY0 + timedelta(days=day, hours=h, minutes=R.randint(0, 59), seconds=R.randint(0, 59))

def clashes(text, t):
    for ws, we, keys in windows.values():
        if ws - timedelta(hours=6) <= t <= we + timedelta(hours=6) and any(k in text for k in keys):
            return True
    return False

units = []
used_names = set()
for dist, lst in PLACES.items():
    for unit, roads in lst:
        comms = []
        while len(comms) < 5:
            c = R.choice(COMM_A) + R.choice(COMM_B)
            if c not in used_names:
                used_names.add(c)
                comms.append(c)
        units.append((dist, unit, roads, comms))

ROAD_KINDS = {"traffic_light", "pothole", "manhole", "sidewalk_tiles", "street_vendor", "bus_route",
              "bus_shelter", "bus_driver", "shared_bikes", "taxi", "streetlight", "sidewalk_parking",
              "zombie_car", "ground_lock", "shop_speaker", "beach_litter", "illegal_fishing", "abandoned_boat"}
HOME_KINDS = {"elevator", "property_fee", "roof_leak", "renovation", "dog_bark", "house_cert", "rental",
              "water_bill", "gas_bill", "stray_cats", "fire_lane", "ev_charging", "illegal_build", "pests",
              "sewer", "mobile_signal", "enrollment", "kindergarten", "garbage", "hospital_queue", "fitness"}

def rand_loc(kind):
    dist, unit, roads, comms = R.choice(units)
    r = R.random()
    if kind in ROAD_KINDS:
        r = 1.0
    elif kind in HOME_KINDS:
        r = 0.0
    if r < 0.55:
        c = R.choice(comms)
        key = (unit, c)
        form = R.random()
        if form < 0.35:
            loc = f"{unit}{c}"
        elif form < 0.55:
            loc = f"{dist}{unit}{c}"
        elif form < 0.75:
            loc = f"{c}{R.randint(1, 30)}幢"
        elif form < 0.9:
            loc = c
        else:
            loc = f"{dist}{c}"
    else:
        rd = R.choice(roads)
        key = (unit, rd)
        form = R.random()
        if form < 0.3:
            loc = f"{rd}{R.randint(1, 399)}号附近"
        elif form < 0.55:
            loc = f"{dist}{rd}"
        elif form < 0.75 and len(roads) > 1:
            rd2 = R.choice([x for x in roads if x != rd])
            loc = f"{rd}和{rd2}交叉口"
            key = (unit, rd, rd2)
        else:
            loc = f"{unit}{rd}"
    return loc, key

Q_SUFFIXES = ["谢谢。", "盼回复。", "辛苦了。", "希望能给个答复。", "谢谢市长热线。"]

def decorate(text, src, question=False):
    if src == "weibo" and R.random() < 0.06:
        text = "@舟山发布 " + text
    elif R.random() < 0.08:
        text = R.choice(PREFIXES) + text
    if R.random() < 0.35:
        if text[-1] not in "。？！?!":
            text += "，" if R.random() < 0.5 else "。"
        text += R.choice(Q_SUFFIXES if question else SUFFIXES)
    return text

n_bg = TOTAL - len(msgs)
questions = [(k, q) for k, qs in QUESTIONS.items() for q in qs]
bg = []
for k, q in questions:
    bg.append(("q:" + k, q))
used_keys = set()
kinds = list(PLACE_KINDS)
while len(bg) < n_bg:
    kind = R.choice(kinds)
    loc, key = rand_loc(kind)
    if (kind, key) in used_keys:
        continue
    used_keys.add((kind, key))
    bg.append((kind, R.choice(PLACE_KINDS[kind]).format(loc=loc).replace("附近附近", "附近")))

for kind, base in bg:
    for _ in range(200):
        src = R.choices(SOURCES, [45, 12, 20, 15, 8])[0]
        text = decorate(base, src, kind.startswith("q:"))
        t = rand_time()
        if text not in seen and not clashes(text, t):
            break
    else:
        raise SystemExit("could not place " + base)
    add(t, text, src, "single")

# ---------------- write ----------------
msgs.sort(key=lambda m: m["time"])
assert len(msgs) == TOTAL and len({m["text"] for m in msgs}) == TOTAL
out = os.path.join(HERE, "stream.jsonl")
with open(out, "w", encoding="utf-8") as f:
    for i, m in enumerate(msgs, 1):
        f.write(json.dumps({"id": f"s3-{i:04d}", "time": m["time"].isoformat(), "text": m["text"],
                            "source": m["source"], "label": m["label"]}, ensure_ascii=False) + "\n")
print("wrote", out, len(msgs))
