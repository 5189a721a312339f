#!/usr/bin/env python3
"""Check questions.yml (rules4) against the `structure` part of the rules file only.

Usage: python3 verify.py [path/to/zhoushan-open-government-rules.yml]
Reads nothing of the policy file but its `structure` (ids, labels, titles, texts).
"""
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
POLICY = Path(sys.argv[1]) if len(sys.argv) > 1 else (
    HERE.parents[1] / "policies" / "zhoushan-open-government-rules.yml")

# Out-of-scope "detail" questions: `mention` must match the rules (they do talk about the
# thing), every pattern in `absent` must NOT match (they do not give the detail).
PROBES = {
    "政府网站上那个政策解读的专栏，网址是多少，我直接在手机上输进去": {
        "mention": r"“政策解读”专栏",
        "absent": [r"https?://", r"www\.", r"\.gov\.cn", r"\.com", r"网址|域名"],
    },
    "市政府开会请公众代表去旁听，每次能去几个人，名额怎么分": {
        "mention": r"公众代表",
        "absent": [r"\d+\s*(名|人|个名额)", r"名额", r"[一二三四五六七八九十两]\s*(名|人)"],
    },
    "政府花钱请第三方做政策解读动画，一年预算大概多少钱": {
        "mention": r"购买第三方服务",
        "absent": [r"\d+(\.\d+)?\s*(万元|元|亿元|万)", r"预算", r"[一二三四五六七八九十百千]+万"],
    },
    "舟山市政务公开领导小组的组长现在是哪位领导": {
        "mention": r"政务公开领导小组",
        "absent": [r"组长", r"市长", r"书记", r"秘书长"],
    },
    "重大决策开听证会，要提前几天发公告，在哪里报名参加": {
        "mention": r"听证",
        "absent": [r"\d+\s*(日|天|个工作日)", r"报名", r"公告", r"[一二三四五六七八九十]\s*(日|天)"],
    },
    "档案馆、图书馆里的政府信息查阅点每天几点开门，周末开不开": {
        "mention": r"档案馆、公共图书馆等信息公开查阅点",
        "absent": [r"\d{1,2}\s*[:：点]\s*\d{0,2}", r"周末|双休|节假日|工作日", r"开放时间|开门"],
    },
    "“舟山发布”的微信公众号号码是多少，抖音上搜什么": {
        "mention": r"舟山发布",
        "absent": [r"公众号|微信号|抖音|视频号", r"[A-Za-z]{3,}", r"ID|账号"],
    },
    "政府信息公开工作年度报告每年要在几月几号之前挂出来": {
        "mention": r"年度报告",
        "absent": [r"\d+月\d+日", r"年度报告.{0,30}(\d+月|月底|日前)", r"[一二三四五六七八九十]+月"],
    },
    "舟山“最多跑一次”事项清单一共有多少项，市级县级各多少": {
        "mention": r"“最多跑一次”事项清单",
        "absent": [r"\d+\s*(项|个事项|类事项)", r"事项清单.{0,15}\d", r"[一二三四五六七八九十百千]+项"],
    },
    "那个省市统一的手机政务服务App叫什么名字，去哪里下载": {
        "mention": r"移动互联网政务服务平台",
        "absent": [r"浙里办|浙江政务服务APP", r"[Aa][Pp][Pp]", r"应用商店|下载"],
    },
}


def clauses(structure):
    out = {}

    def walk(node):
        if node.get("text"):
            out[str(node["id"])] = {"label": node.get("label"), "title": node.get("title"),
                                   "text": node["text"]}
        for child in node.get("children") or []:
            walk(child)

    for node in structure:
        walk(node)
    return out


def main():
    structure = yaml.safe_load(POLICY.read_text(encoding="utf-8"))["structure"]
    cl = clauses(structure)
    corpus = "\n".join(
        "%s %s %s" % (c["label"] or "", c["title"] or "", c["text"]) for c in cl.values())
    qs = yaml.safe_load((HERE / "questions.yml").read_text(encoding="utf-8"))["questions"]

    errors = []
    inscope = [q for q in qs if not q.get("none")]
    oos = [q for q in qs if q.get("none")]
    print(f"policy clauses with text: {len(cl)}")
    print(f"questions: {len(qs)}  in-scope: {len(inscope)}  out-of-scope: {len(oos)}")

    # duplicates
    for text, n in Counter(q["q"] for q in qs).items():
        if n > 1:
            errors.append(f"duplicate question: {text}")
    for key, n in Counter((q["clause"], tuple(q["facts"])) for q in inscope).items():
        if n > 1:
            errors.append(f"duplicate clause+facts: {key}")

    per = Counter()
    for i, q in enumerate(inscope, 1):
        keys = set(q)
        if keys != {"q", "facts", "clause"}:
            errors.append(f"in-scope #{i} bad keys {sorted(keys)}")
        cid = str(q["clause"])
        if cid not in cl:
            errors.append(f"unknown clause id {cid!r}: {q['q']}")
            continue
        per[cid] += 1
        facts = q["facts"]
        if not (1 <= len(facts) <= 2):
            errors.append(f"{cid}: {len(facts)} facts: {q['q']}")
        for f in facts:
            if not (2 <= len(f) <= 20):
                errors.append(f"{cid}: fact length {len(f)} {f!r}")
            if f not in cl[cid]["text"]:
                errors.append(f"{cid}: fact not verbatim in clause text {f!r}")
            if f in q["q"]:
                errors.append(f"{cid}: fact copied into question {f!r}: {q['q']}")
    print("facts also found in other clauses (each question needs one fact unique to its clause):")
    for q in inscope:
        cid = str(q["clause"])
        if cid not in cl:
            continue
        unique = False
        for f in q["facts"]:
            others = [k for k, c in cl.items() if k != cid and f in c["text"]]
            if others:
                print(f"  {cid:>6} {f!r} also in {others}")
            else:
                unique = True
        if not unique:
            errors.append(f"{cid}: no fact unique to the clause: {q['q']}")
    for q in oos:
        if set(q) != {"q", "none"} or q["none"] is not True:
            errors.append(f"bad out-of-scope entry {q}")

    print("\nper-clause counts:")
    for cid in cl:
        flag = "" if per[cid] >= 2 else "   <-- fewer than 2"
        print(f"  {cid:>6} {cl[cid]['label']:<6} {per[cid]}{flag}")
        if per[cid] < 2:
            errors.append(f"clause {cid} has {per[cid]} questions")

    if len(inscope) != 80:
        errors.append(f"in-scope count {len(inscope)} != 80")
    if len(oos) != 20:
        errors.append(f"out-of-scope count {len(oos)} != 20")

    print("\nout-of-scope detail probes (rules mention the thing but do not give the detail):")
    oos_texts = {q["q"] for q in oos}
    for qtext, probe in PROBES.items():
        if qtext not in oos_texts:
            errors.append(f"probe question not among out-of-scope questions: {qtext}")
        m = re.search(probe["mention"], corpus)
        print(f"  Q: {qtext}")
        print(f"     mention /{probe['mention']}/: {'found' if m else 'NOT FOUND'}")
        if not m:
            errors.append(f"mention not found for: {qtext}")
        for pat in probe["absent"]:
            hit = re.search(pat, corpus)
            print(f"     absent  /{pat}/: {'MATCHED ' + repr(hit.group(0)) if hit else 'no match'}")
            if hit:
                errors.append(f"absent pattern {pat!r} matched {hit.group(0)!r} for: {qtext}")
    if len(PROBES) != 10:
        errors.append(f"{len(PROBES)} detail probes != 10")

    print()
    if errors:
        for e in errors:
            print("ERROR:", e)
        print("FAIL")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
