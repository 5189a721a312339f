# -*- coding: utf-8 -*-
"""Standard-library checker for hotspots_stream9/stream.jsonl.  Prints a report ending in PASS or FAIL."""
import collections
import datetime as dt
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "stream.jsonl")
SOURCES = {"12345", "portal", "wechat", "telegram", "weibo"}
LO = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HI = dt.datetime(2026, 12, 13, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
errors = []


def err(msg):
    errors.append(msg)


rows = []
with open(PATH, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        try:
            r = json.loads(line)
        except ValueError as e:
            err("line %d: bad JSON (%s)" % (n, e))
            continue
        if set(r) != {"id", "time", "text", "source", "label"}:
            err("line %d: keys %s" % (n, sorted(r)))
            continue
        rows.append(r)

ids, texts = set(), set()
prev = None
times = []
for r in rows:
    if not re.fullmatch(r"s9-\d{5}", r["id"]):
        err("bad id %s" % r["id"])
    if r["id"] in ids:
        err("duplicate id %s" % r["id"])
    ids.add(r["id"])
    if not re.fullmatch(r"2026-12-\d\dT\d\d:\d\d:\d\d\+08:00", r["time"]):
        err("%s: time format %s" % (r["id"], r["time"]))
    t = dt.datetime.fromisoformat(r["time"])
    times.append(t)
    if not (LO <= t <= HI):
        err("%s: time out of range %s" % (r["id"], r["time"]))
    if prev is not None and t < prev:
        err("%s: not sorted by time" % r["id"])
    prev = t
    if r["source"] not in SOURCES:
        err("%s: source %s" % (r["id"], r["source"]))
    if not (10 <= len(r["text"]) <= 200):
        err("%s: text length %d" % (r["id"], len(r["text"])))
    if r["text"] in texts:
        err("%s: duplicate text" % r["id"])
    texts.add(r["text"])
    if not re.fullmatch(r"burst:[a-z0-9_]+|decoy:[a-z0-9_]+:\d+|single", r["label"]):
        err("%s: label %s" % (r["id"], r["label"]))

# id order follows time order
if [r["id"] for r in rows] != ["s9-%05d" % i for i in range(1, len(rows) + 1)]:
    err("ids are not consecutive in file order")

bursts = collections.defaultdict(list)
decoys = collections.defaultdict(lambda: collections.defaultdict(int))
singles = 0
for r, t in zip(rows, times):
    lab = r["label"]
    if lab.startswith("burst:"):
        bursts[lab[6:]].append((t, r["source"]))
    elif lab.startswith("decoy:"):
        _, g, n = lab.split(":")
        decoys[g][int(n)] += 1
    else:
        singles += 1

out = []
out.append("file: %s" % PATH)
out.append("messages: %d  (bursts %d, decoys %d, singles %d)" % (
    len(rows), sum(len(v) for v in bursts.values()), sum(sum(v.values()) for v in decoys.values()), singles))
out.append("time range: %s .. %s" % (min(times).isoformat(), max(times).isoformat()))
out.append("sources: %s" % dict(collections.Counter(r["source"] for r in rows).most_common()))
out.append("per day: %s" % dict(sorted(collections.Counter(t.date().isoformat() for t in times).items())))
out.append("")
out.append("bursts (%d):" % len(bursts))
for name, lst in sorted(bursts.items(), key=lambda kv: kv[1][0][0]):
    lst.sort()
    n = len(lst)
    f5 = (lst[4][0] - lst[0][0]).total_seconds() / 60 if n >= 5 else None
    span = (lst[-1][0] - lst[0][0]).total_seconds() / 60
    nsrc = len(set(s for _, s in lst))
    out.append("  %-32s n=%2d first=%s last=%s first->5th=%5.1f min span=%5.0f min sources=%d" % (
        name, n, lst[0][0].strftime("%m-%d %H:%M"), lst[-1][0].strftime("%m-%d %H:%M"), f5 or -1, span, nsrc))
    if not (12 <= n <= 30):
        err("burst %s has %d messages" % (name, n))
    if f5 is None or not (15 <= f5 <= 40):
        err("burst %s first->fifth %.1f min" % (name, f5 or -1))
out.append("")
out.append("decoy groups (%d):" % len(decoys))
for g, ms in sorted(decoys.items()):
    tot = sum(ms.values())
    out.append("  %-36s n=%2d matters=%d sizes=%s" % (g, tot, len(ms), [ms[k] for k in sorted(ms)]))
    if not (6 <= tot <= 12):
        err("decoy group %s has %d messages" % (g, tot))
    if len(ms) < 2:
        err("decoy group %s has a single matter" % g)
if len(bursts) != 8:
    err("expected 8 bursts, got %d" % len(bursts))
if len(decoys) != 6:
    err("expected 6 decoy groups, got %d" % len(decoys))
if not (1400 <= singles <= 1700):
    err("singles %d outside 1400..1700" % singles)
if not (1650 <= len(rows) <= 1950):
    err("total %d outside 1650..1950" % len(rows))

out.append("")
if errors:
    out.extend("ERROR: " + e for e in errors[:50])
    out.append("FAIL (%d errors)" % len(errors))
else:
    out.append("PASS")
print("\n".join(out))
sys.exit(1 if errors else 0)
