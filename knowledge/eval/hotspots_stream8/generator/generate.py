# -*- coding: utf-8 -*-
"""Generate hotspots_stream8/stream.jsonl (+ README.md tables).

Python 3 standard library only. Fixed seed. Run:  python3 generator/generate.py
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from bursts import BURSTS          # noqa: E402
from decoys import DECOYS          # noqa: E402
from freeform import FREEFORM      # noqa: E402
import background                  # noqa: E402

SEED = 20261130
TZ = timezone(timedelta(hours=8))
START = datetime(2026, 11, 30, 0, 0, 0, tzinfo=TZ)
END = datetime(2026, 12, 6, 23, 59, 0, tzinfo=TZ)
TOTAL = 1800

rng = random.Random(SEED)

HOUR_W = [0.30, 0.18, 0.12, 0.08, 0.08, 0.18, 0.55, 1.2, 2.2, 3.0, 3.2, 2.8,
          2.0, 2.2, 2.8, 3.0, 2.7, 2.3, 2.0, 2.2, 2.4, 2.0, 1.3, 0.7]
BG_SRC = (["12345"] * 34 + ["portal"] * 20 + ["wechat"] * 24 + ["telegram"] * 6 + ["weibo"] * 16)
FREE_SRC = ["portal"] * 30 + ["wechat"] * 55 + ["telegram"] * 15


def src_of(hint):
    return hint if hint else rng.choice(FREE_SRC)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def burst_offsets(b):
    n = len(b["msgs"])
    span = b["span_hours"] * 60.0
    mins = b.get("min_offsets", {})
    maxs = b.get("max_offsets", {})
    for _ in range(5000):
        fifth = rng.uniform(16.0, 36.0)
        early = sorted(rng.uniform(1.0, fifth - 1.0) for _ in range(3))
        offs = [0.0] + early + [fifth]
        tail = sorted(fifth + 1.0 + (rng.random() ** 1.5) * (span - fifth - 1.0) for _ in range(n - 5))
        offs += tail
        ok = True
        for i in range(1, n):
            lo = max(offs[i - 1] + 0.4, mins.get(i, 0.0))
            if offs[i] < lo:
                offs[i] = lo
        if offs[4] > 40.0 or offs[4] < 15.0 or offs[-1] > span:
            ok = False
        for i, mx in maxs.items():
            if offs[i] > mx:
                ok = False
        if ok:
            return offs
    raise RuntimeError("could not place burst " + b["name"])


def main():
    records = []  # (datetime, text, source, label)

    # ---- bursts
    burst_meta = []
    for b in BURSTS:
        t0 = datetime.strptime(b["start"], "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)
        t0 += timedelta(seconds=rng.randint(0, 59))
        offs = burst_offsets(b)
        times = []
        for (hint, text), off in zip(b["msgs"], offs):
            t = t0 + timedelta(seconds=round(off * 60))
            times.append(t)
            records.append((t, text, src_of(hint), "burst:" + b["name"]))
        noplace = sum(1 for _, tx in b["msgs"] if not any(w in tx for w in b["place_words"]))
        burst_meta.append({
            "name": b["name"], "count": len(b["msgs"]), "first": iso(times[0]), "last": iso(times[-1]),
            "fifth_min": round((times[4] - times[0]).total_seconds() / 60.0, 1),
            "span_h": round((times[-1] - times[0]).total_seconds() / 3600.0, 2),
            "summary": b["summary"], "place_words": b["place_words"], "noplace": noplace,
        })

    # ---- decoys
    decoy_meta = []
    for g, d in DECOYS.items():
        rows = []
        for n, m in enumerate(d["matters"], 1):
            ts = []
            for when, hint, text in m["msgs"]:
                t = datetime.strptime("2026-" + when, "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)
                t += timedelta(seconds=rng.randint(0, 59))
                ts.append(t)
                records.append((t, text, src_of(hint), "decoy:%s:%d" % (g, n)))
            rows.append((n, m["place"], len(m["msgs"]), [x.strftime("%m-%d %H:%M") for x in ts]))
        decoy_meta.append((g, d["desc"], rows))

    # ---- background
    seen = set(r[1] for r in records)
    n_bg = TOTAL - len(records)
    span_days = (END.date() - START.date()).days + 1

    def bg_time():
        day = rng.randrange(span_days)
        h = rng.choices(range(24), weights=HOUR_W)[0]
        t = START + timedelta(days=day, hours=h, minutes=rng.randrange(60), seconds=rng.randrange(60))
        return min(t, END)

    bg = []
    for hint, text in FREEFORM:
        assert text not in seen, text
        seen.add(text)
        bg.append((bg_time(), text, src_of(hint), "single"))
    guard = 0
    while len(bg) < n_bg:
        guard += 1
        if guard > 200000:
            raise RuntimeError("background generation stuck")
        s = rng.choice(BG_SRC)
        text = background.render(rng, s)
        if s == "12345" and text.startswith("#"):
            continue
        text = text.strip()
        if not (10 <= len(text) <= 200) or text in seen:
            continue
        seen.add(text)
        bg.append((bg_time(), text, s, "single"))
    records += bg

    # ---- sort & write
    records.sort(key=lambda r: (r[0], rng.random()))
    path = os.path.join(OUT, "stream.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for i, (t, text, s, label) in enumerate(records, 1):
            f.write(json.dumps({"id": "s8-%05d" % i, "time": iso(t), "text": text, "source": s, "label": label},
                               ensure_ascii=False) + "\n")

    meta = {"seed": SEED, "total": len(records), "bursts": burst_meta,
            "decoys": [{"group": g, "desc": desc, "matters": rows} for g, desc, rows in decoy_meta]}
    with open(os.path.join(HERE, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
    print("wrote", path, len(records))


if __name__ == "__main__":
    main()
