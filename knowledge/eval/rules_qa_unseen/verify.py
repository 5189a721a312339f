#!/usr/bin/env python3
"""Check questions.yml against the clause texts of the Zhoushan open-government rules.

Usage: python3 verify.py [questions.yml] [rules.yml]
Standard library + PyYAML (falls back to a minimal parser of the simple flow lines if PyYAML is absent).
"""
import collections
import os
import re
import sys

QFILE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "questions.yml")
RULES = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "policies", "zhoushan-open-government-rules.yml")
N_IN, N_OUT, MAX_PER_CLAUSE, MIN_CLAUSES = 90, 20, 4, 35

try:
    import yaml
except ImportError:  # pragma: no cover
    yaml = None


def norm(s):
    return re.sub(r"\s+", "", str(s))


def load_questions(path):
    if yaml:
        return yaml.safe_load(open(path, encoding="utf-8"))["questions"]
    out = []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line.startswith("- {"):
            continue
        body = line[3:-1]
        item = {}
        m = re.match(r"q: (.*?), (facts|none): ", body)
        item["q"] = m.group(1)
        if "none: true" in body:
            item["none"] = True
        else:
            f = re.search(r"facts: \[(.*?)\]", body).group(1)
            item["facts"] = [x.strip().strip("'\"") for x in f.split(",")]
            item["clause"] = re.search(r"clause: '(.*?)'", body).group(1)
        out.append(item)
    return out


def load_clauses(path):
    """Return {clause_id: (chapter_id, text)} for every leaf clause with text."""
    if yaml:
        doc = yaml.safe_load(open(path, encoding="utf-8"))
        res = {}
        for ch in doc["structure"]:
            kids = ch.get("children") or [ch]
            for c in kids:
                if c.get("text"):
                    res[str(c["id"])] = (str(ch["id"]), c["text"])
        return res
    # fallback: crude line scan of "- id:" / "text:" under structure
    res, chapter, cur = {}, None, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\r\n")
        if line.startswith("interpretation:"):
            break
        m = re.match(r"^- id: '?([^']+)'?\s*$", line)
        if m:
            chapter = cur = m.group(1)
            continue
        m = re.match(r"^  - id: '?([^']+)'?\s*$", line)
        if m:
            cur = m.group(1)
            continue
        m = re.match(r"^\s+text: (.*)$", line)
        if m and cur:
            res[cur] = (chapter, m.group(1))
    return res


errors = []
qs = load_questions(QFILE)
clauses = load_clauses(RULES)
inscope = [q for q in qs if not q.get("none")]
outscope = [q for q in qs if q.get("none")]

print(f"parsed {QFILE}: {len(qs)} questions ({len(inscope)} in scope, {len(outscope)} out of scope)")
print(f"rules: {len(clauses)} clauses with text in {RULES}")
if len(inscope) != N_IN:
    errors.append(f"expected {N_IN} in-scope questions, got {len(inscope)}")
if len(outscope) != N_OUT:
    errors.append(f"expected {N_OUT} out-of-scope questions, got {len(outscope)}")

seen_q = collections.Counter(norm(q["q"]) for q in qs)
for k, v in seen_q.items():
    if v > 1:
        errors.append(f"duplicate question: {k}")

for q in outscope:
    if q.get("facts") or q.get("clause"):
        errors.append(f"out-of-scope question has facts/clause: {q['q']}")

per_clause = collections.Counter()
for q in inscope:
    cid = str(q.get("clause", ""))
    facts = q.get("facts") or []
    if cid not in clauses:
        errors.append(f"unknown clause {cid!r}: {q['q']}")
        continue
    per_clause[cid] += 1
    if not 1 <= len(facts) <= 2:
        errors.append(f"needs 1-2 facts, has {len(facts)}: {q['q']}")
    text = norm(clauses[cid][1])
    for f in facts:
        f = norm(f)
        if not 2 <= len(f) <= 15:
            errors.append(f"fact length {len(f)} outside 2-15: {f!r} ({q['q']})")
        if f not in text:
            errors.append(f"fact {f!r} not verbatim in clause {cid}: {q['q']}")

for cid, n in per_clause.items():
    if n > MAX_PER_CLAUSE:
        errors.append(f"clause {cid} has {n} questions (> {MAX_PER_CLAUSE})")

covered = set(per_clause)
missing = [c for c in clauses if c not in covered]
print(f"distinct clauses covered: {len(covered)} of {len(clauses)} in the document")
if len(covered) < MIN_CLAUSES:
    if missing:
        errors.append(f"fewer than {MIN_CLAUSES} clauses and not all covered; missing: {missing}")
    else:
        print(f"NOTE: the brief asks for >= {MIN_CLAUSES} distinct clauses, but the document has only "
              f"{len(clauses)}; all {len(clauses)} are covered, which is the most possible.")

by_chapter = collections.Counter(clauses[c][0] for c in (str(q["clause"]) for q in inscope) if c in clauses)
chapters = sorted({ch for ch, _ in clauses.values()}, key=lambda x: (not x.isdigit(), x))
print("in-scope questions by chapter:")
for ch in chapters:
    print(f"  {ch}: {by_chapter.get(ch, 0)}")
    if not by_chapter.get(ch):
        errors.append(f"chapter {ch} has no question")
print("in-scope questions by clause:")
for c in clauses:
    print(f"  {c}: {per_clause.get(c, 0)}")

if errors:
    print("FAIL")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("PASS")
