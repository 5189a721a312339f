# -*- coding: utf-8 -*-
"""Verify hotspots_stream7/stream.jsonl (standard library only).
Usage: python3 verify.py [path]   -> prints a report, last line PASS or FAIL."""
import json
import os
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "stream.jsonl")
TZ = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 23, 0, 0, tzinfo=TZ)
T1 = datetime(2026, 11, 29, 23, 59, 59, tzinfo=TZ)
SOURCES = {"12345", "portal", "wechat", "telegram", "weibo"}
KEYS = {"id", "time", "text", "source", "label"}
LABEL_RE = re.compile(r"^(single|burst:[a-z0-9_]+|decoy:[a-z0-9_]+:[1-9][0-9]*)$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")

errors = []


def err(msg):
    errors.append(msg)


rows = []
with open(PATH, encoding="utf-8") as f:
    for ln, line in enumerate(f, 1):
        try:
            d = json.loads(line)
        except ValueError as e:
            err("line %d: bad JSON (%s)" % (ln, e))
            continue
        if set(d) != KEYS:
            err("line %d: keys %s" % (ln, sorted(d)))
            continue
        if not all(isinstance(d[k], str) for k in KEYS):
            err("line %d: non-string field" % ln)
            continue
        if not re.match(r"^s7-\d{5}$", d["id"]):
            err("line %d: bad id %r" % (ln, d["id"]))
        if not TIME_RE.match(d["time"]):
            err("line %d: bad time format %r" % (ln, d["time"]))
            continue
        d["_t"] = datetime.fromisoformat(d["time"])
        if d["source"] not in SOURCES:
            err("line %d: bad source %r" % (ln, d["source"]))
        if not LABEL_RE.match(d["label"]):
            err("line %d: bad label %r" % (ln, d["label"]))
        if not (10 <= len(d["text"]) <= 200):
            err("line %d: text length %d" % (ln, len(d["text"])))
        rows.append(d)

print("file:", PATH)
print("rows:", len(rows))

ids = Counter(r["id"] for r in rows)
dup = [i for i, c in ids.items() if c > 1]
if dup:
    err("duplicate ids: %s" % dup[:5])
texts = Counter(r["text"] for r in rows)
dupt = [t for t, c in texts.items() if c > 1]
if dupt:
    err("duplicate texts: %d, e.g. %r" % (len(dupt), dupt[0]))
for a, b in zip(rows, rows[1:]):
    if b["_t"] < a["_t"]:
        err("not sorted at %s -> %s" % (a["id"], b["id"]))
        break
bad_range = [r["id"] for r in rows if not (T0 <= r["_t"] <= T1)]
if bad_range:
    err("times outside 2026-11-23..29: %s" % bad_range[:5])
print("time range: %s .. %s" % (rows[0]["time"], rows[-1]["time"]))
print("ids unique: %s; texts unique: %s; sorted: %s" % (not dup, not dupt, not any("sorted" in e for e in errors)))

kinds = Counter(r["label"].split(":")[0] for r in rows)
print("label kinds:", dict(kinds))
print("sources:", dict(Counter(r["source"] for r in rows)))
if not (1700 <= len(rows) <= 1900):
    err("total %d not about 1800" % len(rows))
if not (1450 <= kinds["single"] <= 1650):
    err("singles %d not about 1550" % kinds["single"])

bursts = defaultdict(list)
decoys = defaultdict(lambda: defaultdict(list))
for r in rows:
    if r["label"].startswith("burst:"):
        bursts[r["label"][6:]].append(r)
    elif r["label"].startswith("decoy:"):
        _, g, n = r["label"].split(":")
        decoys[g][int(n)].append(r)

print("\nbursts: %d" % len(bursts))
print("%-34s %5s %-17s %-17s %8s %6s" % ("name", "n", "first", "last", "1st->5th", "hours"))
if len(bursts) != 8:
    err("expected 8 bursts, got %d" % len(bursts))
for name, rs in sorted(bursts.items(), key=lambda kv: kv[1][0]["_t"]):
    n = len(rs)
    f5 = (rs[4]["_t"] - rs[0]["_t"]).total_seconds() / 60 if n >= 5 else None
    dur = (rs[-1]["_t"] - rs[0]["_t"]).total_seconds() / 3600
    print("%-34s %5d %-17s %-17s %8s %6.1f" % (name, n, rs[0]["time"][:16], rs[-1]["time"][:16],
                                               "%.0f" % f5 if f5 is not None else "-", dur))
    if not (12 <= n <= 30):
        err("burst %s has %d messages" % (name, n))
    if f5 is None or not (f5 <= 40):
        err("burst %s first->fifth %s min" % (name, f5))
    if f5 is not None and f5 < 15:
        err("burst %s first->fifth %.0f min < 15" % (name, f5))
    if dur > 8:
        err("burst %s spans %.1f h (> few hours)" % (name, dur))
    srcs = Counter(r["source"] for r in rs)
    if len(srcs) < 4:
        err("burst %s uses only %d sources" % (name, len(srcs)))

print("\ndecoy groups: %d" % len(decoys))
if len(decoys) != 6:
    err("expected 6 decoy groups, got %d" % len(decoys))
for g, ms in sorted(decoys.items()):
    tot = sum(len(v) for v in ms.values())
    print("%-34s matters=%d messages=%d" % (g, len(ms), tot))
    if not (6 <= tot <= 12):
        err("decoy group %s has %d messages" % (g, tot))
    if len(ms) < 3:
        err("decoy group %s has only %d matters" % (g, len(ms)))
    if sorted(ms) != list(range(1, len(ms) + 1)):
        err("decoy group %s matter numbers not 1..n" % g)

days = Counter(r["time"][:10] for r in rows)
print("\nper day:", dict(sorted(days.items())))
hours = Counter(r["_t"].hour for r in rows if r["label"] == "single")
night = sum(hours[h] for h in range(0, 6))
day = sum(hours[h] for h in range(9, 18))
print("background night(00-06)=%d daytime(09-18)=%d" % (night, day))
if night * 3 > day:
    err("no day/night rhythm")

print()
if errors:
    for e in errors[:50]:
        print("ERROR:", e)
    print("FAIL")
    sys.exit(1)
print("PASS")
