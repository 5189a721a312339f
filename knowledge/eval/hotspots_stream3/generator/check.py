# -*- coding: utf-8 -*-
"""Sanity checks + summary table for stream.jsonl (prints markdown)."""
import json, os, sys, collections
from datetime import datetime, timedelta
HERE = os.path.dirname(os.path.abspath(__file__)); sys.path.insert(0, HERE)
from bursts_text import BURSTS
rows = [json.loads(l) for l in open(os.path.join(HERE, "stream.jsonl"), encoding="utf-8")]
T = lambda r: datetime.fromisoformat(r["time"])
assert all(T(a) <= T(b) for a, b in zip(rows, rows[1:])), "order"
assert len({r["text"] for r in rows}) == len(rows) and len({r["id"] for r in rows}) == len(rows)
lab = collections.Counter(r["label"].split(":")[0] for r in rows)
print("total", len(rows), dict(lab))
print("sources", dict(collections.Counter(r["source"] for r in rows)))
print()
print("| burst | count | first | last | 5th msg after first | sources | what |")
print("|---|---|---|---|---|---|---|")
win = {}
for name, b in BURSTS.items():
    m = [r for r in rows if r["label"] == f"burst:{name}"]
    assert 12 <= len(m) <= 30
    f, l = T(m[0]), T(m[-1]); win[name] = (f, l, b["keys"])
    src = collections.Counter(r["source"] for r in m)
    print(f"| {name} | {len(m)} | {m[0]['time'][:16]} | {m[-1]['time'][:16]} | {(T(m[4])-f).seconds//60} min | "
          + ", ".join(f"{k} {v}" for k, v in src.most_common()) + f" | {b['what']} |")
print()
groups = collections.defaultdict(lambda: collections.defaultdict(list))
for r in rows:
    if r["label"].startswith("decoy:"):
        _, g, n = r["label"].split(":"); groups[g][int(n)].append(r)
        for name, (f, l, _) in win.items():
            assert not (f - timedelta(hours=3) <= T(r) <= l + timedelta(hours=3)), (r, name)
print("| decoy group | matters | messages | matters (n: first time, text of first message) |")
print("|---|---|---|---|")
for g, ms in groups.items():
    print(f"| {g} | {len(ms)} | {sum(len(v) for v in ms.values())} | " +
          "<br>".join(f"{n}: {v[0]['time'][5:16]} {v[0]['text'][:22]}…" for n, v in sorted(ms.items())) + " |")
bad = 0
for r in rows:
    if r["label"] == "single":
        for name, (f, l, keys) in win.items():
            if f - timedelta(hours=6) <= T(r) <= l + timedelta(hours=6) and any(k in r["text"] for k in keys):
                bad += 1; print("CLASH", name, r)
print("\nbackground clashes:", bad)
print("max text length:", max(len(r["text"]) for r in rows))
