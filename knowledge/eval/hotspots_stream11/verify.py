# -*- coding: utf-8 -*-
"""Check stream.jsonl of hotspot stream 11 against the rules. Standard library only.

    python3 verify.py            (prints a report, last line PASS or FAIL)
"""
import collections
import datetime as dt
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "generator"))

import generate as G                 # noqa: E402
from bursts import BURSTS            # noqa: E402
from decoys import DECOYS            # noqa: E402
import background as bg              # noqa: E402

FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
    return cond


def main():
    path = os.path.join(HERE, "stream.jsonl")
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    print("messages:", len(rows))

    # ---- format ------------------------------------------------------
    srcs = {"12345", "web", "wechat", "weibo", "telegram", "news"}
    lab_re = re.compile(r"^(single|burst:[a-z0-9_]+|decoy:[a-z0-9_]+:\d+)$")
    t0 = dt.datetime(2027, 3, 1, tzinfo=G.TZ)
    t1 = dt.datetime(2027, 3, 8, tzinfo=G.TZ)
    prev = None
    for i, r in enumerate(rows, 1):
        check(set(r) == {"id", "time", "text", "source", "label"}, "fields %s" % r)
        check(r["id"] == "s11-%05d" % i, "id order at %d" % i)
        check(r["time"].endswith("+08:00"), "tz %s" % r["id"])
        t = dt.datetime.fromisoformat(r["time"])
        r["_t"] = t
        check(t0 <= t < t1, "period %s" % r["id"])
        if prev is not None:
            check(prev <= t, "time order at %s" % r["id"])
        prev = t
        check(r["source"] in srcs, "source %s" % r["id"])
        check(bool(lab_re.match(r["label"])), "label %s" % r["id"])
        check(len(r["text"].strip()) > 0, "empty text %s" % r["id"])
    texts = [r["text"] for r in rows]
    dup = [t for t, c in collections.Counter(texts).items() if c > 1]
    check(not dup, "duplicate texts: %s" % dup[:5])
    print("format, ids, time order, period, unique texts: checked")

    # ---- reproducibility ---------------------------------------------
    built = G.build()
    built2 = G.build()
    same = [(m["id"], G.iso(m["time"]), m["text"], m["source"], m["label"]) for m in built]
    check(same == [(m["id"], G.iso(m["time"]), m["text"], m["source"], m["label"]) for m in built2],
          "build() not deterministic")
    check(same == [(r["id"], r["time"], r["text"], r["source"], r["label"]) for r in rows],
          "stream.jsonl differs from generator output")
    print("reproducible from generator (two builds identical, equal to file): checked")

    labels = collections.Counter(r["label"].split(":")[0] for r in rows)
    print("labels:", dict(labels))
    check(1750 <= len(rows) <= 1850, "total count")
    check(1500 <= labels["single"] <= 1600, "single count")

    # ---- bursts --------------------------------------------------------
    win = G.burst_windows()
    all_places = set(G.ALL_PLACES)
    for b in BURSTS:
        all_places |= set(b["place_words"])

    def has_place(text):
        return any(p in text for p in all_places)

    check(len(BURSTS) == 8, "8 bursts")
    print("\nbursts (name | n | first - last | 5th | sources | no-place | short<=10)")
    for b in BURSTS:
        name = "burst:" + b["name"]
        ms = [r for r in rows if r["label"] == name]
        n = len(ms)
        check(12 <= n <= 30, "%s size %d" % (name, n))
        check(n == len(b["msgs"]), "%s size differs from generator" % name)
        check(len({m["text"] for m in ms}) == n, "%s texts not all different" % name)
        sc = collections.Counter(m["source"] for m in ms)
        for s in ("12345", "web", "wechat", "telegram", "weibo"):
            check(sc[s] >= 1, "%s has no %s" % (name, s))
        check(any(m["source"] == "12345" and m["text"].startswith("来电人") for m in ms),
              "%s lacks a calm 12345 summary" % name)
        noplace = sum(1 for m in ms if not has_place(m["text"]))
        short = sum(1 for m in ms if len(m["text"]) <= 10)
        check(noplace >= 3, "%s has fewer than 3 no-place reports" % name)
        check(short >= 2, "%s has fewer than 2 very short posts" % name)
        pw = collections.Counter()
        for w in b["place_words"]:
            pw[w] = sum(1 for m in ms if w in m["text"])
            check(pw[w] >= 1, "%s place word %s unused" % (name, w))
        first, last = ms[0]["_t"], ms[-1]["_t"]
        check(last - first <= dt.timedelta(hours=12), "%s longer than 12 h" % name)
        print("  %s | %d | %s - %s | %s | %s | %d/%d | %d" % (
            b["name"], n, first.strftime("%m-%dT%H:%M"), last.strftime("%m-%dT%H:%M"),
            ms[4]["_t"].strftime("%H:%M"), dict(sc), noplace, n, short))
        print("      place words:", ", ".join("%s %d" % kv for kv in pw.items()))
    news_bursts = sum(1 for b in BURSTS if any(m[1] == "news" for m in b["msgs"]))
    check(news_bursts >= 6, "news items in fewer than 6 bursts")
    print("  bursts with a news item: %d of 8" % news_bursts)

    # ---- decoys --------------------------------------------------------
    print("\ndecoy groups (group | matters | messages)")
    matters_total = 0
    check(len(DECOYS) == 6, "6 decoy groups")
    for g in DECOYS:
        ms = [r for r in rows if r["label"].startswith("decoy:%s:" % g["group"])]
        by = collections.defaultdict(list)
        for m in ms:
            by[int(m["label"].split(":")[2])].append(m)
        matters_total += len(by)
        for n, lst in by.items():
            check(1 <= len(lst) <= 2, "decoy %s:%d has %d messages" % (g["group"], n, len(lst)))
        for m in ms:
            for bn, (first, last, _, _) in win.items():
                check(not (first - dt.timedelta(hours=3) <= m["_t"] <= last + dt.timedelta(hours=3)),
                      "decoy %s inside the window of %s" % (m["id"], bn))
        keys = sorted(by)
        for i in keys:
            for j in keys:
                if i < j:
                    gap = min(abs(a["_t"] - b2["_t"]) for a in by[i] for b2 in by[j])
                    check(gap >= dt.timedelta(hours=6),
                          "decoy %s matters %d and %d only %s apart" % (g["group"], i, j, gap))
        print("  %s | %d | %d" % (g["group"], len(by), len(ms)))
    print("  matters in all: %d" % matters_total)
    check(40 <= matters_total <= 60, "decoy matters %d not ~50" % matters_total)

    # ---- singles -------------------------------------------------------
    singles = [r for r in rows if r["label"] == "single"]
    bad6 = bad3 = 0
    for r in singles:
        for bn, (first, last, pw, tw) in win.items():
            if first - dt.timedelta(hours=6) <= r["_t"] <= last + dt.timedelta(hours=6):
                if any(w in r["text"] for w in pw):
                    bad6 += 1
                    FAILS.append("single %s names a place of %s within 6 h" % (r["id"], bn))
            if first - dt.timedelta(hours=3) <= r["_t"] <= last + dt.timedelta(hours=3):
                if any(w in r["text"] for w in tw):
                    bad3 += 1
                    FAILS.append("single %s has a topic word of %s within 3 h" % (r["id"], bn))
    print("\nsingles naming a burst place within 6 h: %d; with a burst topic word within 3 h: %d" % (bad6, bad3))

    meta = [m for m in built if m["label"] == "single"]
    tp = collections.Counter((m["meta"]["topic"], m["meta"]["place"]) for m in meta
                             if m["meta"]["kind"] == "topic" and m["meta"]["place"] is not None)
    over = [k for k, c in tp.items() if c > 1]
    check(not over, "topic used twice at one place: %s" % over[:5])
    pl = collections.Counter(m["meta"]["wording"] for m in meta
                             if m["meta"]["kind"] == "topic" and m["meta"]["place"] is None)
    over2 = [k for k, c in pl.items() if c > 2]
    check(not over2, "place-less wording used more than twice: %s" % over2[:5])
    for m in meta:
        if m["meta"]["kind"] in ("oneoff:short", "oneoff:followup"):
            check(not G.in_any_window(m["time"], win, 3),
                  "place-less short post / follow-up %s inside a burst window" % m["id"])
    print("very short one-off posts and follow-ups kept out of burst windows (+-3 h): checked")
    kinds = collections.Counter(m["meta"]["kind"] for m in meta)
    print("background kinds:", dict(sorted(kinds.items())))
    print("topic+place pairs used once each: %d pairs; place-less wordings max use: %d" % (
        len(tp), max(pl.values())))

    per_day = collections.Counter(r["_t"].day for r in singles)
    print("singles per day:", [per_day[d] for d in range(1, 8)])
    check(max(per_day[6], per_day[7]) < min(per_day[d] for d in range(1, 6)), "weekend not lighter")
    hours = collections.Counter(r["_t"].hour for r in singles)
    busy = sum(hours[h] for h in range(8, 18)) / len(singles)
    night = sum(hours[h] for h in range(1, 6)) / len(singles)
    print("share of singles 08-17: %.2f, 01-05: %.3f" % (busy, night))
    check(busy > 0.55, "busy hours share")
    check(night < 0.03, "night share")
    print("sources (all):", dict(collections.Counter(r["source"] for r in rows)))
    print("sources (singles):", dict(collections.Counter(r["source"] for r in singles)))
    lens = [len(r["text"]) for r in rows]
    print("text length: %d-%d" % (min(lens), max(lens)))
    for lab in ("single", "burst", "decoy"):
        L = [len(r["text"]) for r in rows if r["label"].split(":")[0] == lab]
        print("  mean length %s: %.1f" % (lab, sum(L) / len(L)))

    # ---- verdict -------------------------------------------------------
    print()
    if FAILS:
        for f in FAILS[:50]:
            print("FAIL:", f)
        print("FAIL (%d problems)" % len(FAILS))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
