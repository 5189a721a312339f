# -*- coding: utf-8 -*-
"""Verify hotspots_stream8/stream.jsonl (standard library only).

Checks: JSON format/keys/types, id pattern + uniqueness, ISO time with +08:00,
sorted times, time range, sources, label syntax, unique texts, text length,
label counts, each burst 12-30 messages with first->fifth <= 40 min (and >= 15),
decoy groups 6-12 messages with >= 2 separate matters.
Usage: python3 verify.py [path]   (exit code 0 = PASS)
"""
import json
import os
import re
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=8))
T_MIN = datetime(2026, 11, 30, 0, 0, tzinfo=TZ)
T_MAX = datetime(2026, 12, 6, 23, 59, 59, tzinfo=TZ)
SOURCES = {"12345", "portal", "wechat", "telegram", "weibo"}
KEYS = {"id", "time", "text", "source", "label"}
ID_RE = re.compile(r"^s8-\d{5}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
LABEL_RE = re.compile(r"^(single|burst:[a-z0-9_]+|decoy:[a-z0-9_]+:\d+)$")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "stream.jsonl")
    errors = []
    recs = []
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                errors.append("line %d: bad JSON (%s)" % (ln, e))
                continue
            if set(r) != KEYS:
                errors.append("line %d: keys %s" % (ln, sorted(r)))
                continue
            if not all(isinstance(r[k], str) for k in KEYS):
                errors.append("line %d: non-string field" % ln)
                continue
            if not ID_RE.match(r["id"]):
                errors.append("line %d: bad id %r" % (ln, r["id"]))
            if not TIME_RE.match(r["time"]):
                errors.append("line %d: bad time %r" % (ln, r["time"]))
                continue
            r["_t"] = datetime.fromisoformat(r["time"])
            if r["source"] not in SOURCES:
                errors.append("line %d: bad source %r" % (ln, r["source"]))
            if not LABEL_RE.match(r["label"]):
                errors.append("line %d: bad label %r" % (ln, r["label"]))
            if not (10 <= len(r["text"]) <= 200):
                errors.append("line %d: text length %d" % (ln, len(r["text"])))
            recs.append(r)

    out = []
    out.append("file: %s" % path)
    out.append("records: %d" % len(recs))

    ids = [r["id"] for r in recs]
    dup_ids = [k for k, v in Counter(ids).items() if v > 1]
    if dup_ids:
        errors.append("duplicate ids: %s" % dup_ids[:5])
    texts = Counter(r["text"] for r in recs)
    dup_t = [k for k, v in texts.items() if v > 1]
    if dup_t:
        errors.append("duplicate texts: %d (e.g. %r)" % (len(dup_t), dup_t[0]))
    for a, b in zip(recs, recs[1:]):
        if b["_t"] < a["_t"]:
            errors.append("not sorted at %s -> %s" % (a["id"], b["id"]))
            break
    if recs:
        lo, hi = recs[0]["_t"], recs[-1]["_t"]
        out.append("time range: %s .. %s" % (recs[0]["time"], recs[-1]["time"]))
        if min(r["_t"] for r in recs) < T_MIN or max(r["_t"] for r in recs) > T_MAX:
            errors.append("time outside 2026-11-30T00:00 .. 2026-12-06T23:59 (+08:00)")
    if not (1700 <= len(recs) <= 1900):
        errors.append("total %d not about 1800" % len(recs))

    kinds = Counter(r["label"].split(":")[0] for r in recs)
    out.append("label kinds: " + ", ".join("%s=%d" % kv for kv in sorted(kinds.items())))
    out.append("sources: " + ", ".join("%s=%d" % kv for kv in sorted(Counter(r["source"] for r in recs).items())))
    hours = Counter(r["_t"].hour for r in recs)
    out.append("messages by hour: " + " ".join("%02d:%d" % (h, hours.get(h, 0)) for h in range(24)))

    bursts = defaultdict(list)
    decoys = defaultdict(lambda: defaultdict(list))
    for r in recs:
        p = r["label"].split(":")
        if p[0] == "burst":
            bursts[p[1]].append(r["_t"])
        elif p[0] == "decoy":
            decoys[p[1]][int(p[2])].append(r["_t"])

    out.append("")
    out.append("bursts (%d):" % len(bursts))
    if len(bursts) != 8:
        errors.append("expected 8 bursts, got %d" % len(bursts))
    sizes = []
    for name, ts in sorted(bursts.items(), key=lambda kv: min(kv[1])):
        ts.sort()
        n = len(ts)
        sizes.append(n)
        f5 = (ts[4] - ts[0]).total_seconds() / 60.0 if n >= 5 else None
        span = (ts[-1] - ts[0]).total_seconds() / 3600.0
        ok = 12 <= n <= 30 and f5 is not None and 15.0 <= f5 <= 40.0
        out.append("  %-32s n=%2d first=%s last=%s first->fifth=%5.1f min span=%.2f h %s" % (
            name, n, ts[0].strftime("%m-%d %H:%M"), ts[-1].strftime("%m-%d %H:%M"), f5 or -1, span, "ok" if ok else "FAIL"))
        if not ok:
            errors.append("burst %s: n=%d first->fifth=%s" % (name, n, f5))
        if span > 10:
            errors.append("burst %s spans %.1f h (> 10 h)" % (name, span))
    if sizes and max(sizes) - min(sizes) < 12:
        errors.append("burst sizes not varied across 12-30: %s" % sizes)

    out.append("")
    out.append("decoy groups (%d):" % len(decoys))
    if len(decoys) != 6:
        errors.append("expected 6 decoy groups, got %d" % len(decoys))
    for g, ms in sorted(decoys.items()):
        tot = sum(len(v) for v in ms.values())
        ok = 6 <= tot <= 12 and len(ms) >= 2
        out.append("  %-22s messages=%2d matters=%d %s" % (g, tot, len(ms), "ok" if ok else "FAIL"))
        if not ok:
            errors.append("decoy %s: %d messages, %d matters" % (g, tot, len(ms)))

    out.append("")
    if errors:
        out.append("RESULT: FAIL (%d problems)" % len(errors))
        out += ["  - " + e for e in errors[:50]]
    else:
        out.append("RESULT: PASS")
    print("\n".join(out))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
