# -*- coding: utf-8 -*-
import json, os, sys, collections
C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus") + os.sep
files = set(os.listdir(C))
qs = [json.loads(l) for l in open(os.path.join(os.path.dirname(__file__), "questions.jsonl"), encoding="utf-8")]
oos = [json.loads(l) for l in open(os.path.join(os.path.dirname(__file__), "out_of_scope.jsonl"), encoding="utf-8")]
errors = []
ids = [q["id"] for q in qs] + [o["id"] for o in oos]
if len(ids) != len(set(ids)): errors.append("duplicate ids")
def lcs(a, b):
    best = ""
    for i in range(len(a)):
        for j in range(i + 1, len(a) + 1):
            if a[i:j] in b and j - i > len(best): best = a[i:j]
    return best
docs = collections.Counter()
for q in qs:
    for k in ("id", "doc", "answer", "annotator", "citizen"):
        if not q.get(k): errors.append(f"{q.get('id')}: missing {k}")
    if q["doc"] not in files:
        errors.append(f"{q['id']}: doc not found {q['doc']}"); continue
    text = open(C + q["doc"], encoding="utf-8").read()
    n = text.count(q["answer"])
    if n == 0: errors.append(f"{q['id']}: answer not an exact substring")
    L = len(q["answer"])
    flag = "" if 6 <= L <= 60 else "  <-- length outside 6-60"
    docs[q["doc"]] += 1
    common = lcs(q["citizen"], q["answer"])
    print(f"{q['id']} len={L:2d} occ={n} cit_len={len(q['citizen']):2d} lcs_with_answer='{common}'{flag}")
print("questions:", len(qs), "distinct docs:", len(docs), "oos:", len(oos))
print("max questions per doc:", max(docs.values()))
if errors:
    print("ERRORS:"); print("\n".join(errors)); sys.exit(1)
print("ALL CHECKS PASSED")
