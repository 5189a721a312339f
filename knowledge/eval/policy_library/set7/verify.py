#!/usr/bin/env python3
"""Checks for evaluation set 7 (standard library only).

Checks:
  - every line of questions.jsonl / out_of_scope.jsonl parses as a JSON object
  - field sets are exactly as required
  - ids are unique and in order (p7-001..p7-070, p7-oos-01..p7-oos-20)
  - every `doc` exists in the corpus directory
  - every `answer` occurs verbatim in its doc
  - no doc is used more than twice
  - at least 50 distinct docs are used
  - citizen questions for gz* docs contain 广州
  - no empty strings
  - counts are 70 / 20
Exit code 0 if all checks pass, 1 otherwise.
"""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = "/work/main/knowledge/eval/policy_library/corpus"
Q_FILE = os.path.join(HERE, "questions.jsonl")
OOS_FILE = os.path.join(HERE, "out_of_scope.jsonl")

Q_FIELDS = {"id", "doc", "answer", "annotator", "citizen"}
OOS_FIELDS = {"id", "question"}

errors = []


def err(msg):
    errors.append(msg)
    print("FAIL:", msg)


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err(f"{os.path.basename(path)} line {n}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{os.path.basename(path)} line {n}: JSON error {e}")
                continue
            if not isinstance(obj, dict):
                err(f"{os.path.basename(path)} line {n}: not an object")
                continue
            rows.append(obj)
    return rows


questions = load(Q_FILE)
oos = load(OOS_FILE)

# counts
print(f"questions: {len(questions)} lines")
print(f"out_of_scope: {len(oos)} lines")
if len(questions) != 70:
    err(f"expected 70 questions, got {len(questions)}")
if len(oos) != 20:
    err(f"expected 20 out-of-scope questions, got {len(oos)}")

# fields, ids
for i, q in enumerate(questions, 1):
    if set(q) != Q_FIELDS:
        err(f"question {i}: fields {sorted(q)} != {sorted(Q_FIELDS)}")
    for k in Q_FIELDS:
        if not isinstance(q.get(k), str) or not q.get(k, "").strip():
            err(f"question {i}: field {k} empty or not a string")
    want = f"p7-{i:03d}"
    if q.get("id") != want:
        err(f"question {i}: id {q.get('id')!r}, expected {want!r}")
for i, q in enumerate(oos, 1):
    if set(q) != OOS_FIELDS:
        err(f"oos {i}: fields {sorted(q)} != {sorted(OOS_FIELDS)}")
    if not isinstance(q.get("question"), str) or not q.get("question", "").strip():
        err(f"oos {i}: empty question")
    want = f"p7-oos-{i:02d}"
    if q.get("id") != want:
        err(f"oos {i}: id {q.get('id')!r}, expected {want!r}")

all_ids = [q.get("id") for q in questions] + [q.get("id") for q in oos]
dup = [k for k, v in collections.Counter(all_ids).items() if v > 1]
if dup:
    err(f"duplicate ids: {dup}")

# docs and answers
corpus_files = set(os.listdir(CORPUS))
text_cache = {}
doc_count = collections.Counter()
for q in questions:
    doc = q.get("doc", "")
    qid = q.get("id")
    doc_count[doc] += 1
    if doc not in corpus_files:
        err(f"{qid}: doc not in corpus: {doc!r}")
        continue
    if doc not in text_cache:
        with open(os.path.join(CORPUS, doc), encoding="utf-8") as f:
            text_cache[doc] = f.read()
    if q.get("answer", "") not in text_cache[doc]:
        err(f"{qid}: answer not found verbatim in {doc}")
    if doc.startswith("gz") and "广州" not in q.get("citizen", ""):
        err(f"{qid}: gz document but citizen question lacks 广州")

for doc, n in doc_count.items():
    if n > 2:
        err(f"doc used {n} times (max 2): {doc}")

print(f"distinct docs used: {len(doc_count)}")
if len(doc_count) < 50:
    err(f"only {len(doc_count)} distinct docs (need >= 50)")

fam = collections.Counter()
for doc in doc_count:
    for p in ("cn", "zj", "gov", "gz"):
        if doc.startswith(p):
            fam[p] += 1
            break
qfam = collections.Counter()
for q in questions:
    for p in ("cn", "zj", "gov", "gz"):
        if q.get("doc", "").startswith(p):
            qfam[p] += 1
            break
print("distinct docs per family:", dict(sorted(fam.items())))
print("questions per family:", dict(sorted(qfam.items())))

# out-of-scope questions must not duplicate in-scope citizen/annotator text
inscope_text = {q.get("citizen") for q in questions} | {q.get("annotator") for q in questions}
for q in oos:
    if q.get("question") in inscope_text:
        err(f"{q.get('id')}: duplicates an in-scope question")

if errors:
    print(f"\nRESULT: FAIL ({len(errors)} problem(s))")
    sys.exit(1)
print("\nRESULT: PASS (all checks passed)")
sys.exit(0)
