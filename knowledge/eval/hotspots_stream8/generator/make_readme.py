# -*- coding: utf-8 -*-
"""Build README.md from generator/meta.json + stream.jsonl (standard library)."""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from bursts import BURSTS  # noqa: E402

meta = json.load(open(os.path.join(HERE, "meta.json"), encoding="utf-8"))
recs = [json.loads(l) for l in open(os.path.join(OUT, "stream.jsonl"), encoding="utf-8")]
kinds = Counter(r["label"].split(":")[0] for r in recs)
srcs = Counter(r["source"] for r in recs)
by_label_src = {}
for r in recs:
    k = r["label"].split(":")[0]
    by_label_src.setdefault(k, Counter())[r["source"]] += 1

L = []
w = L.append
w("# hotspots_stream8 — 舟山 政务舆情 held-out burst stream (written blind)")
w("")
w("Written blind: the writer did not open, run or read the monitoring system, its repository/worktrees, or other")
w("evaluation folders. Events, estates, schools, companies, venues, boat numbers and wording are invented for this")
w("stream; district / town / road / island names are real 舟山 names. No Teddy Cup 2020 or DataFountain 2020 data used.")
w("")
w("- Period: 2026-11-30T00:00+08:00 – 2026-12-06T23:59+08:00 (7 days, day/night rhythm: few messages 00–06h, peaks 9–11h and 14–16h, evening bump 19–21h)")
w("- Records: %d — burst %d, decoy %d, single %d" % (len(recs), kinds["burst"], kinds["decoy"], kinds["single"]))
w("- Sources: " + ", ".join("%s %d" % kv for kv in sorted(srcs.items())))
for k in ("burst", "decoy", "single"):
    w("  - %s: %s" % (k, ", ".join("%s %d" % kv for kv in sorted(by_label_src[k].items()))))
w("- Generator: `python3 generator/generate.py` (seed %d, standard library only; deterministic). README: `python3 generator/make_readme.py`." % meta["seed"])
w("- Check: `python3 verify.py > verify_output.txt` → RESULT: PASS")
w("- Format: one JSON object per line `{id, time, text, source, label}`, sorted by time; ids `s8-00001`…; all texts unique; lengths 10–200 chars.")
w("")
w("Files: `stream.jsonl`, `verify.py`, `verify_output.txt`, `generator/` (`generate.py`, `bursts.py` hand-written burst texts,")
w("`decoys.py` hand-written decoys, `background.py` templated background, `freeform.py` hand-written one-off background, `meta.json`).")
w("")
w("## Bursts (label `burst:<name>`)")
w("")
w("| name | count | first | last | first→fifth (min) | span (h) | what happened |")
w("|---|---|---|---|---|---|---|")
for b in meta["bursts"]:
    w("| %s | %d | %s | %s | %.1f | %.2f | %s |" % (b["name"], b["count"], b["first"][5:16].replace("T", " "),
                                                 b["last"][5:16].replace("T", " "), b["fifth_min"], b["span_h"], b["summary"]))
w("")
w("Each burst mixes exact-place reports, landmark/district-only reports, reports naming no place (“我们这边…”), effect-only")
w("descriptions, emotional Weibo posts with hashtags, calm 12345 summaries (“来电人反映…”), follow-ups, questions, a rumour and a")
w("correction. Two-district burst: `red_tide_shengsi_daishan` (嵊泗县 + 岱山县); `etc_double_charge_bridge` also touches 金塘(定海)/宁波 side.")
w("Mostly-no-place burst: `fake_notice_ebike_ban` (citywide rumour; only a hashtag #舟山# names a place).")
w("")
w("### Place words per burst")
w("")
w("Counted by substring over the burst's texts (the list is the burst's own place/landmark vocabulary).")
w("")
w("| burst | place words found (count) | reports naming none of them |")
w("|---|---|---|")
for b in BURSTS:
    c = Counter()
    for _, t in b["msgs"]:
        for pw in b["place_words"]:
            if pw in t:
                c[pw] += 1
    none = sum(1 for _, t in b["msgs"] if not any(pw in t for pw in b["place_words"]))
    w("| %s | %s | %d / %d |" % (b["name"], ", ".join("%s %d" % kv for kv in c.most_common()), none, len(b["msgs"])))
w("")
w("Note: words like 收费站/体育馆/景区 are landmark words, not addresses; reports with only “过桥”, “演唱会门口”, “宿舍楼”, “海边” count as naming none.")
w("")
w("## Decoy groups (label `decoy:<group>:<n>`)")
w("")
w("Each group = separate small matters of the same kind; the matters must NOT be merged into one topic (and should not alert).")
w("")
for d in meta["decoys"]:
    tot = sum(m[2] for m in d["matters"])
    w("### %s — %d messages, %d matters" % (d["group"], tot, len(d["matters"])))
    w("")
    w(d["desc"])
    w("")
    w("| n | place | messages | times (2026, +08:00) |")
    w("|---|---|---|---|")
    for n, pl, cnt, ts in d["matters"]:
        w("| %d | %s | %d | %s |" % (n, pl, cnt, ", ".join(ts)))
    w("")
w("## Background (`single`)")
w("")
w("%d singletons: %d hand-written one-offs (`freeform.py`) plus templated everyday matters (`background.py`): noise, parking,"
  % (kinds["single"], len(__import__("freeform").FREEFORM)))
w("traffic, potholes, sanitation, property/housing, service complaints, consumer disputes, unpaid wages, tourism, benefits and")
w("policy questions, rumour checks (“听说…是真的吗”), praise, and Weibo-style daily-life posts. Many share words with the bursts")
w("(大桥/ETC/渔船/休渔/沙子/运沙车/海水浴场/沙滩/演唱会票/宿舍/电瓶车/通告/旅游大巴/山路/码头…) in unrelated contexts, spread over the week.")
w("Templated background repeats the same kind of complaint at different places and times (as real hotlines do); these are")
w("unrelated singletons, spread uniformly by a day/night curve, never concentrated in hours.")
w("")
w("## Caveats")
w("")
w("- Background is template-built from ~110 complaint patterns and ~60 question patterns with alternations, random places,")
w("  openers/closers, occasional typos (的/得, 在/再…) and a little 舟山话 (阿拉, 伐, 交关); it is less varied than real traffic and")
w("  some place/issue combinations are slightly odd. The same routine question can recur ~5–8 times over the week as `single`.")
w("- Burst and decoy texts are hand-written once each (173 + 53); burst message order is logical (reports → follow-ups → rumour →")
w("  correction), times are drawn with first→fifth in 15–40 min and the remaining reports decaying over 5–8 h.")
w("- Sand-dredging and e-bike-fire bursts happen at night (low background, few messages); the concert burst is the last event of the stream.")
w("- `decoy:ebike_plate_q` and `decoy:flying_wire_charging` are intentionally close in vocabulary to the two e-bike bursts; `decoy:scam_sms:1`")
w("  (fake ‘ETC认证’ texts, 11-30) is close to the ETC burst; `decoy:sea_debris` is close to the red-tide burst; `decoy:traffic_minor:3`")
w("  (朱家尖大桥 broken-down truck, 12-03) is close to the tour-bus crash.")
open(os.path.join(OUT, "README.md"), "w", encoding="utf-8").write("\n".join(L) + "\n")
print("README.md written")
