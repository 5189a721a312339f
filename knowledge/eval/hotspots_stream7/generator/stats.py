# -*- coding: utf-8 -*-
"""Print markdown tables for README from stream.jsonl + generator data (stdlib)."""
import json, os, sys
from collections import Counter, defaultdict
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data_bursts import BURSTS
from data_decoys import DECOYS
from datetime import datetime
base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
rows = [json.loads(l) for l in open(os.path.join(base, "stream.jsonl"), encoding="utf-8")]
by = defaultdict(list)
for r in rows:
    by[r["label"]].append(r)
print("| burst | n | first | last | 1st→5th (min) | sources | what happened |")
print("|---|---|---|---|---|---|---|")
for b in BURSTS:
    rs = by["burst:" + b["name"]]
    t = [datetime.fromisoformat(r["time"]) for r in rs]
    f5 = (t[4] - t[0]).total_seconds() / 60
    src = Counter(r["source"] for r in rs)
    print("| %s | %d | %s | %s | %.0f | %s | %s |" % (b["name"], len(rs), rs[0]["time"][5:16].replace("T", " "),
          rs[-1]["time"][5:16].replace("T", " "), f5, " ".join("%s:%d" % kv for kv in sorted(src.items())), b["what"]))
print()
print("| burst | place words checked | reports naming none of them |")
print("|---|---|---|")
for b in BURSTS:
    rs = by["burst:" + b["name"]]
    none = [r for r in rs if not any(w in r["text"] for w in b["places"])]
    print("| %s | %s | %d of %d |" % (b["name"], "、".join(b["places"]), len(none), len(rs)))
print()
print("| decoy group | matter | place | messages | times |")
print("|---|---|---|---|---|")
for g in DECOYS:
    for i, m in enumerate(g["matters"], 1):
        rs = by["decoy:%s:%d" % (g["group"], i)]
        print("| %s | %d | %s | %d | %s |" % (g["group"], i, m["place"], len(rs), ", ".join(r["time"][5:16].replace("T", " ") for r in rs)))
