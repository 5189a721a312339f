# -*- coding: utf-8 -*-
"""Independent checks of ../stream.jsonl (reads only the file + the gazetteer)."""
import json
import os
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from places import tokens_in

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stream.jsonl")
H = timedelta(hours=1)
FORBIDDEN = ["电梯", "红绿灯", "信号灯", "脚手架", "滑坡", "塌方", "污水", "下水道", "走丢", "人贩子",
             "补贴", "短信", "系统故障", "停水", "路灯", "井盖", "窨井", "夜间施工", "打桩", "清运"]
errors = []


def err(msg):
    errors.append(msg)


rows = []
with open(PATH, encoding="utf-8") as f:
    for ln, line in enumerate(f, 1):
        o = json.loads(line)
        if set(o) != {"id", "time", "text", "source", "label"}:
            err("line %d keys %s" % (ln, sorted(o)))
        if o["id"] != "s5-%04d" % ln:
            err("line %d id %s" % (ln, o["id"]))
        if not re.fullmatch(r"2026-11-0[2-8]T\d\d:\d\d:\d\d\+08:00", o["time"]):
            err("line %d time %s" % (ln, o["time"]))
        if o["source"] not in {"12345", "weibo", "wechat", "portal", "telegram"}:
            err("line %d source %s" % (ln, o["source"]))
        if not re.fullmatch(r"single|burst:[a-z0-9_]+|decoy:[a-z0-9_]+:\d+", o["label"]):
            err("line %d label %s" % (ln, o["label"]))
        o["t"] = datetime.fromisoformat(o["time"]).replace(tzinfo=None)
        rows.append(o)

# order, uniqueness
for a, b in zip(rows, rows[1:]):
    if b["t"] < a["t"]:
        err("not sorted at %s" % b["id"])
ids = Counter(r["id"] for r in rows)
texts = Counter(r["text"] for r in rows)
if max(ids.values()) > 1:
    err("duplicate ids")
for t, c in texts.items():
    if c > 1:
        err("duplicate text: %s" % t)

kind = Counter(r["label"].split(":")[0] for r in rows)
bursts = defaultdict(list)
decoys = defaultdict(lambda: defaultdict(list))
for r in rows:
    p = r["label"].split(":")
    if p[0] == "burst":
        bursts[p[1]].append(r)
    elif p[0] == "decoy":
        decoys[p[1]][int(p[2])].append(r)

# bursts
binfo = {}
for name, rs in bursts.items():
    ts = [r["t"] for r in rs]
    span = (ts[-1] - ts[0]).total_seconds() / 3600
    gaps = [(ts[i + 1] - ts[i]).total_seconds() / 60 for i in range(4)]
    if not 12 <= len(rs) <= 30:
        err("burst %s count %d" % (name, len(rs)))
    if not 2 <= span <= 5:
        err("burst %s span %.2f h" % (name, span))
    if not all(2 <= g <= 10 for g in gaps):
        err("burst %s first gaps %s" % (name, gaps))
    toks = set(t for r in rs for t in tokens_in(r["text"]))
    binfo[name] = (ts[0], ts[-1], toks)
    print("burst %-32s n=%2d  %s .. %s  span %.2fh  gaps %s  places %s" % (
        name, len(rs), ts[0].strftime("%m-%d %H:%M"), ts[-1].strftime("%H:%M"), span,
        [int(g) for g in gaps], "、".join(sorted(toks))))
if len(bursts) != 8:
    err("bursts: %d" % len(bursts))

# decoys
n_matters = 0
for g, ms in decoys.items():
    n_matters += len(ms)
    for n, rs in ms.items():
        if not 1 <= len(rs) <= 2:
            err("decoy %s:%d has %d messages" % (g, n, len(rs)))
        for r in rs:
            for name, (a, b, _) in binfo.items():
                if a - 3 * H <= r["t"] <= b + 3 * H:
                    err("decoy %s in burst window %s" % (r["id"], name))
    keys = sorted(ms)
    for i in keys:
        for j in keys:
            if i < j:
                d = min(abs((x["t"] - y["t"]).total_seconds()) for x in ms[i] for y in ms[j])
                if d < 6 * 3600:
                    err("decoy %s matters %d,%d only %.1f h apart" % (g, i, j, d / 3600))
    print("decoy %-26s matters=%d messages=%d" % (g, len(ms), sum(len(v) for v in ms.values())))
# decoy matters of different groups naming the same place: >= 6 h apart
flat = [(g, n, rs, set(t for r in rs for t in tokens_in(r["text"]))) for g, ms in decoys.items() for n, rs in ms.items()]
for i, (g1, n1, r1, t1) in enumerate(flat):
    for g2, n2, r2, t2 in flat[i + 1:]:
        if g1 != g2 and t1 & t2:
            d = min(abs((x["t"] - y["t"]).total_seconds()) for x in r1 for y in r2)
            if d < 6 * 3600:
                err("decoys %s:%d and %s:%d share %s only %.1f h apart" % (g1, n1, g2, n2, t1 & t2, d / 3600))
if len(decoys) != 6:
    err("decoy groups: %d" % len(decoys))

# singletons: 6-hour place rule + problem words
for r in rows:
    if r["label"] != "single":
        continue
    tk = set(tokens_in(r["text"]))
    for name, (a, b, toks) in binfo.items():
        if a - 6 * H <= r["t"] <= b + 6 * H and tk & toks:
            err("single %s names %s within 6h of %s" % (r["id"], tk & toks, name))
    for w in FORBIDDEN:
        if w in r["text"]:
            err("single %s contains %s" % (r["id"], w))

print("counts:", dict(kind), "total", len(rows), "| decoy matters", n_matters,
      "| sources", dict(Counter(r["source"] for r in rows)))
print("days:", dict(sorted(Counter(r["time"][:10] for r in rows).items())))
if errors:
    print("ERRORS (%d):" % len(errors))
    for e in errors[:50]:
        print("  ", e)
    sys.exit(1)
print("OK: all checks passed")
