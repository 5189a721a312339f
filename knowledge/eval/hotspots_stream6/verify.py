# -*- coding: utf-8 -*-
"""Verify stream6/stream.jsonl.  Python 3 stdlib only.
Usage: python3 verify.py [path/to/stream.jsonl]
Exit code 0 if every check passes, 1 otherwise."""
import json
import os
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "stream.jsonl")
TZ = timezone(timedelta(hours=8))
LO = datetime(2026, 11, 16, 0, 0, tzinfo=TZ)
HI = datetime(2026, 11, 22, 23, 59, tzinfo=TZ)
FIELDS = ["id", "time", "text", "source", "label"]
SOURCES = {"12345": 0.40, "portal": 0.15, "wechat": 0.20, "telegram": 0.05, "weibo": 0.20}
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+08:00$")
ID_RE = re.compile(r"^s6-\d{4}$")
LABEL_RE = re.compile(r"^(single|burst:[a-z0-9_]+|decoy:[a-z0-9_]+:[1-9]\d*)$")

fails = []
out = []


def check(cond, msg):
    out.append(("PASS " if cond else "FAIL ") + msg)
    if not cond:
        fails.append(msg)


recs = []
bad_json = 0
bad_fields = 0
with open(path, encoding="utf-8") as f:
    for ln, line in enumerate(f, 1):
        try:
            r = json.loads(line)
        except Exception:
            bad_json += 1
            continue
        if list(r.keys()) != FIELDS or not all(isinstance(r[k], str) for k in FIELDS):
            bad_fields += 1
        recs.append(r)
check(bad_json == 0, "every line is valid JSON (%d bad)" % bad_json)
check(bad_fields == 0, "every object has exactly the fields %s in order, all strings (%d bad)" % (FIELDS, bad_fields))
N = len(recs)
check(1700 <= N <= 1900, "total messages about 1,800 (%d)" % N)

ids = [r["id"] for r in recs]
check(all(ID_RE.match(i) for i in ids), "ids match s6-NNNN")
check(len(set(ids)) == N, "ids unique")
check(ids == ["s6-%04d" % i for i in range(1, N + 1)], "ids sequential s6-0001..s6-%04d" % N)

okfmt = all(TIME_RE.match(r["time"]) for r in recs)
check(okfmt, "times are ISO 8601, minute resolution, +08:00")
times = [datetime.fromisoformat(r["time"]) for r in recs]
check(all(LO <= t <= HI for t in times), "times within 2026-11-16T00:00 .. 2026-11-22T23:59 (+08:00)")
check(all(times[i] <= times[i + 1] for i in range(N - 1)), "sorted by time")

src = Counter(r["source"] for r in recs)
check(set(src) <= set(SOURCES), "sources only from %s" % sorted(SOURCES))
for s, share in SOURCES.items():
    got = src[s] / N
    check(abs(got - share) <= 0.03, "source %-8s %4d = %.1f%% (target %.0f%%)" % (s, src[s], 100 * got, 100 * share))

check(all(LABEL_RE.match(r["label"]) for r in recs), "labels match single | burst:<name> | decoy:<group>:<n>")
texts = [r["text"] for r in recs]
check(all(t.strip() for t in texts), "no empty texts")
dup = [t for t, c in Counter(texts).items() if c > 1]
check(not dup, "no duplicate texts (%d duplicated)" % len(dup))

# hour rhythm
hours = Counter(t.hour for t in times)
night = sum(hours[h] for h in range(0, 6)) / N
busy = sum(hours[h] for h in list(range(8, 12)) + list(range(14, 18))) / N
check(night < 0.05, "quiet night 00-06: %.1f%% of messages" % (100 * night))
check(busy > 0.45, "busy 08-11 + 14-17: %.1f%% of messages" % (100 * busy))

# label counts
kinds = Counter(r["label"].split(":")[0] for r in recs)
out.append("INFO label kinds: " + ", ".join("%s=%d" % kv for kv in sorted(kinds.items())))

# bursts
bursts = defaultdict(list)
for r, t in zip(recs, times):
    if r["label"].startswith("burst:"):
        bursts[r["label"][6:]].append(t)
check(len(bursts) == 8, "8 bursts (%d)" % len(bursts))
tot_b = sum(len(v) for v in bursts.values())
check(150 <= tot_b <= 200, "burst messages about 170 (%d)" % tot_b)
for name, ts in sorted(bursts.items(), key=lambda kv: min(kv[1])):
    ts.sort()
    d5 = (ts[4] - ts[0]).total_seconds() / 60 if len(ts) >= 5 else -1
    span = (ts[-1] - ts[0]).total_seconds() / 60
    check(15 <= len(ts) <= 30 and 15 <= d5 <= 40 and 120 <= span <= 300,
          "burst %-34s n=%2d first=%s last=%s 1st->5th=%2d min span=%3d min" % (
              name, len(ts), ts[0].strftime("%m-%d %H:%M"), ts[-1].strftime("%m-%d %H:%M"), d5, span))

# decoys
decoy = defaultdict(lambda: defaultdict(list))
for r, t in zip(recs, times):
    if r["label"].startswith("decoy:"):
        _, g, n = r["label"].split(":")
        decoy[g][int(n)].append(t)
check(len(decoy) == 6, "6 decoy groups (%d)" % len(decoy))
tot_d = sum(len(v) for g in decoy.values() for v in g.values())
check(40 <= tot_d <= 60, "decoy messages 40-60 (%d)" % tot_d)
for g, ms in sorted(decoy.items()):
    ns = sorted(ms)
    ok = ns == list(range(1, len(ns) + 1)) and 2 <= len(ns) <= 7 and all(1 <= len(ms[n]) <= 3 for n in ns)
    firsts = sorted(min(ms[n]) for n in ns)
    gap = min((firsts[i + 1] - firsts[i]).total_seconds() / 3600 for i in range(len(firsts) - 1))
    check(ok and gap >= 6, "decoy %-28s matters=%d msgs=%s min gap between matters=%.0f h" % (
        g, len(ns), [len(ms[n]) for n in ns], gap))

singles = kinds.get("single", 0)
check(1450 <= singles <= 1650, "singles about 1,550 (%d)" % singles)
lens = sorted(len(r["text"]) for r in recs if r["label"] == "single")
out.append("INFO single text length min=%d median=%d max=%d" % (lens[0], lens[len(lens) // 2], lens[-1]))
check(lens[0] >= 5 and lens[-1] <= 150, "single text lengths within 5-150 characters")

# near-duplicate texts: character-bigram Jaccard between every pair of messages
bgs = [set(t[i:i + 2] for i in range(len(t) - 1)) for t in texts]
near = 0
example = None
for i in range(N):
    a = bgs[i]
    if len(a) < 4:
        continue
    for j in range(i + 1, N):
        b = bgs[j]
        if len(b) < 4:
            continue
        inter = len(a & b)
        if inter and inter / (len(a) + len(b) - inter) >= 0.8:
            near += 1
            if example is None:
                example = (texts[i], texts[j])
out.append("INFO near-duplicate pairs (bigram Jaccard >= 0.8): %d%s" % (
    near, "" if example is None else "  e.g. %s | %s" % example))
check(near <= 0.0005 * N * (N - 1) / 2, "near-duplicate pairs are rare (%d of %d pairs)" % (near, N * (N - 1) // 2))

print("\n".join(out))
print("\nRESULT: %s (%d checks failed)" % ("ALL CHECKS PASSED" if not fails else "FAILED", len(fails)))
sys.exit(1 if fails else 0)
