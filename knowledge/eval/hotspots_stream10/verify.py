# -*- coding: utf-8 -*-
"""Checks stream.jsonl of hotspots_stream10 (Python 3 standard library only)."""
import collections
import hashlib
import json
import os
import re
import sys
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "generator"))
from bursts import BURSTS            # noqa: E402
import background as B               # noqa: E402

fails = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        fails.append(msg)


path = os.path.join(HERE, "stream.jsonl")
raw = open(path, "rb").read()
rows = [json.loads(l) for l in raw.decode("utf-8").splitlines() if l.strip()]
print("file md5", hashlib.md5(raw).hexdigest(), "messages", len(rows))
T = lambda s: datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")

check(all(set(r) == {"id", "time", "text", "source", "label"} for r in rows), "every line has exactly id,time,text,source,label")
check(all(r["time"].endswith("+08:00") for r in rows), "all times are +08:00")
times = [T(r["time"]) for r in rows]
check(times == sorted(times), "sorted by time")
check(min(times) >= datetime(2027, 1, 11) and max(times) < datetime(2027, 1, 18), "all inside 2027-01-11 .. 2027-01-17")
check([r["id"] for r in rows] == ["s10-%05d" % i for i in range(1, len(rows) + 1)], "ids s10-00001.. in file order")
texts = [r["text"] for r in rows]
check(len(set(texts)) == len(texts), "all texts unique")
check(all(r["text"].strip() == r["text"] and r["text"] for r in rows), "no empty / padded texts")

lab = collections.Counter()
bursts = collections.defaultdict(list)
decoys = collections.defaultdict(lambda: collections.defaultdict(list))
bad = []
for r, t in zip(rows, times):
    L = r["label"]
    if L == "single":
        lab["single"] += 1
    elif re.fullmatch(r"burst:[a-z0-9_]+", L):
        lab["burst"] += 1
        bursts[L[6:]].append((t, r))
    elif re.fullmatch(r"decoy:[a-z0-9_]+:\d+", L):
        lab["decoy"] += 1
        _, g, n = L.split(":")
        decoys[g][int(n)].append((t, r))
    else:
        bad.append(L)
check(not bad, "all labels well-formed (%d bad)" % len(bad))
print("labels:", dict(lab), "total", len(rows))
check(1700 <= len(rows) <= 1900, "about 1,800 messages")
check(1500 <= lab["single"] <= 1600, "~1,550 singles")
check(len(bursts) == 8, "8 bursts")
for name, ms in sorted(bursts.items(), key=lambda kv: kv[1][0][0]):
    first, last = ms[0][0], ms[-1][0]
    span = (last - first).total_seconds() / 3600
    srcs = collections.Counter(r["source"] for _, r in ms)
    check(12 <= len(ms) <= 30 and span <= 6.0,
          "burst %-34s n=%2d  %s – %s (%.1f h) sources %s" % (name, len(ms), first.strftime("%m-%d %H:%M"), last.strftime("%H:%M"), span, dict(srcs)))
check(5 <= len(decoys) <= 6, "5–6 decoy groups (%d)" % len(decoys))
nm = sum(len(v) for v in decoys.values())
check(40 <= nm <= 60, "40–60 decoy matters (%d)" % nm)
for g, mat in sorted(decoys.items()):
    sizes = [len(v) for v in mat.values()]
    check(all(1 <= s <= 2 for s in sizes) and sorted(mat) == list(range(1, len(mat) + 1)),
          "decoy %-18s matters=%2d messages=%2d (each 1–2, numbered 1..n)" % (g, len(mat), sum(sizes)))

# 6 h rule. Place lexicon = every place word the generator knows + every burst's declared places.
lex = set()
for d, info in B.DISTRICTS.items():
    lex.add(d)
    lex.update(info["towns"]); lex.update(info["roads"]); lex.update(info["estates"])
decl = {b["name"]: b["places"] for b in BURSTS}
for ws in decl.values():
    lex.update(ws)
for name, ms in bursts.items():
    used = {w for w in lex for _, r in ms if w in r["text"]}
    missing = {w for w in used if not any(w in d or d in w for d in decl[name])}
    check(not missing, "burst %s: every place word it uses is declared %s" % (name, sorted(missing) if missing else ""))
viol = []
for name, ms in bursts.items():
    a, b = ms[0][0] - timedelta(hours=6), ms[-1][0] + timedelta(hours=6)
    for r, t in zip(rows, times):
        if r["label"] == "single" and a <= t <= b:
            for w in decl[name]:
                if w in r["text"]:
                    viol.append((name, r["id"], w))
check(not viol, "6 h rule: no single names a burst place within 6 h of that burst (%d violations) %s" % (len(viol), viol[:5]))

src = collections.Counter(r["source"] for r in rows)
print("sources:", dict(src))
days = collections.Counter(t.strftime("%m-%d") for t in times)
print("per day:", dict(sorted(days.items())))
lens = [len(x) for x in texts]
print("text length min/mean/max: %d / %.1f / %d" % (min(lens), sum(lens) / len(lens), max(lens)))
print("PASS" if not fails else "FAIL (%d)" % len(fails))
