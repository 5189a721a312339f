# -*- coding: utf-8 -*-
"""Validate /work/evaldata/stream4/stream.jsonl. Exit code 1 on any failure."""
import json, os, re, sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from bursts import BURSTS
from decoys import DECOYS

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(os.path.dirname(HERE), "stream.jsonl")
LO, HI = datetime.fromisoformat("2026-11-02T00:00:00+08:00"), datetime.fromisoformat("2026-11-08T23:59:59+08:00")
SOURCES = {"12345", "weibo", "wechat", "portal", "telegram"}
# common Traditional-only characters; none may appear (texts are Simplified Chinese)
TRAD = set("們這個國來說時會對後還過點醫電車開關區縣鎮讓應當發經門問題處見覺樣號幾錢買賣離麼裡與無並將專業東學實際將聽總機構務")
errors = []


def err(msg):
    errors.append(msg)


rows = [json.loads(l) for l in open(PATH, encoding="utf-8")]
if len(rows) != 1800:
    err("count %d != 1800" % len(rows))
for i, r in enumerate(rows, 1):
    if set(r) != {"id", "time", "text", "source", "label"}:
        err("keys %s" % r)
    if r["id"] != "s4-%04d" % i:
        err("id %s at %d" % (r["id"], i))
    r["t"] = datetime.fromisoformat(r["time"])
    if not r["time"].endswith("+08:00") or not (LO <= r["t"] <= HI):
        err("time out of range %s" % r["id"])
    if r["source"] not in SOURCES:
        err("source %s" % r["id"])
    n = len(r["text"])
    if not 8 <= n <= 120:
        err("length %d %s" % (n, r["id"]))
    if TRAD & set(r["text"]):
        err("traditional chars %s in %s" % (TRAD & set(r["text"]), r["id"]))
    if re.search(r"[\U0001F000-\U0001FFFF\u2600-\u27BF]", r["text"]):
        err("emoji in %s" % r["id"])
    if not re.search(r"[\u4e00-\u9fff]", r["text"]):
        err("no Chinese in %s" % r["id"])
    if "{" in r["text"] or "}" in r["text"]:
        err("unfilled slot in %s" % r["id"])
if any(rows[i]["t"] > rows[i + 1]["t"] for i in range(len(rows) - 1)):
    err("not sorted by time")
dup = [t for t, c in Counter(r["text"] for r in rows).items() if c > 1]
if dup:
    err("duplicate texts: %s" % dup[:5])
src = Counter(r["source"] for r in rows)
if not 0.35 <= src["12345"] / len(rows) <= 0.45:
    err("12345 share %.2f" % (src["12345"] / len(rows)))

labels = Counter(r["label"] for r in rows)
# bursts
bmsgs = defaultdict(list)
for r in rows:
    if r["label"].startswith("burst:"):
        bmsgs[r["label"][6:]].append(r)
if len(bmsgs) != 8:
    err("bursts %d != 8" % len(bmsgs))
windows = []
for b in BURSTS:
    ms = bmsgs.get(b["name"], [])
    if not 12 <= len(ms) <= 30:
        err("burst %s has %d messages" % (b["name"], len(ms)))
        continue
    ts = [m["t"] for m in ms]
    span = (ts[-1] - ts[0]).total_seconds() / 3600
    if not 2 <= span <= 5:
        err("burst %s spans %.2f h" % (b["name"], span))
    for k in range(4):
        gap = (ts[k + 1] - ts[k]).total_seconds() / 60
        if not 2 <= gap <= 10:
            err("burst %s gap %d->%d is %.1f min" % (b["name"], k + 1, k + 2, gap))
    if [m["text"] for m in ms] != b["texts"]:
        err("burst %s texts differ from bursts.py" % b["name"])
    windows.append((ts[0] - timedelta(hours=6), ts[-1] + timedelta(hours=6), b["exclude"], b["name"]))
# decoys
dmsgs = defaultdict(list)
for r in rows:
    if r["label"].startswith("decoy:"):
        _, g, n = r["label"].split(":")
        dmsgs[(g, int(n))].append(r)
groups = {g for g, _ in dmsgs}
if len(groups) != 6:
    err("decoy groups %d != 6" % len(groups))
if not 36 <= len(dmsgs) <= 44:
    err("decoy matters %d not ~40" % len(dmsgs))
for key, ms in dmsgs.items():
    if not 2 <= len(ms) <= 4:
        err("decoy %s has %d messages" % (key, len(ms)))
expected = sum(len(m) for ms in DECOYS.values() for m in ms)
if sum(len(v) for v in dmsgs.values()) != expected:
    err("decoy message count mismatch")
# singles
if not 1450 <= labels["single"] <= 1650:
    err("singles %d" % labels["single"])
bad = set(labels) - {"single"} - {"burst:" + b["name"] for b in BURSTS} - {"decoy:%s:%d" % k for k in dmsgs}
if bad:
    err("unknown labels %s" % bad)
# exclusion words
for r in rows:
    if r["label"].startswith("burst:"):
        continue
    for lo, hi, words, name in windows:
        if lo <= r["t"] <= hi:
            hit = [w for w in words if w in r["text"]]
            if hit:
                err("%s (%s) contains %s inside window of %s" % (r["id"], r["label"], hit, name))

print("messages %d | bursts %d (%s) | decoys %d in %d matters / %d groups | singles %d" % (
    len(rows), sum(len(v) for v in bmsgs.values()), "/".join(str(len(bmsgs[b["name"]])) for b in BURSTS),
    sum(len(v) for v in dmsgs.values()), len(dmsgs), len(groups), labels["single"]))
print("sources", dict(src))
if errors:
    print("FAILED (%d):" % len(errors))
    for e in errors[:50]:
        print(" -", e)
    sys.exit(1)
print("OK")
