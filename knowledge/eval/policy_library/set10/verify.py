#!/usr/bin/env python3
"""Checks for policy evaluation set 10 (standard library only).
Run from this folder: python3 verify.py  (prints a report ending in PASS or FAIL)."""
import json, os, re, sys, collections

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')
errors = []
def err(msg): errors.append(msg)

docs = sorted(os.listdir(CORPUS))
print(f'corpus files: {len(docs)}')
if not 55 <= len(docs) <= 65: err(f'corpus size {len(docs)} not in 55..65')
texts = {}
for d in docs:
    if not re.match(r'^n\d\d_.+\.(md|txt|html)$', d): err(f'bad file name {d}')
    raw = open(os.path.join(CORPUS, d), 'rb').read()
    try: texts[d] = raw.decode('utf-8')
    except UnicodeDecodeError: err(f'{d} is not UTF-8')
    if len(raw) < 300: err(f'{d} suspiciously short ({len(raw)} bytes)')

def load(name):
    rows = []
    for i, line in enumerate(open(os.path.join(HERE, name), encoding='utf-8'), 1):
        line = line.strip()
        if not line: continue
        try: rows.append(json.loads(line))
        except json.JSONDecodeError as e: err(f'{name}:{i} bad JSON: {e}')
    return rows

qs = load('questions.jsonl')
oos = load('out_of_scope.jsonl')
print(f'in-scope questions: {len(qs)}; out-of-scope: {len(oos)}')
if len(qs) != 80: err(f'expected 80 in-scope questions, got {len(qs)}')
if len(oos) != 20: err(f'expected 20 out-of-scope questions, got {len(oos)}')

per_doc = collections.Counter()
seen_text = set()
for k, q in enumerate(qs, 1):
    qid = q.get('id')
    if set(q) != {'id', 'doc', 'answer', 'annotator', 'citizen'}: err(f'{qid}: keys {sorted(q)}')
    if qid != f'p10-{k:03d}': err(f'{qid}: expected id p10-{k:03d}')
    d, a, an, ci = q.get('doc'), q.get('answer', ''), q.get('annotator', ''), q.get('citizen', '')
    if d not in texts: err(f'{qid}: doc {d} not in corpus'); continue
    per_doc[d] += 1
    c = texts[d].count(a)
    if c != 1: err(f'{qid}: answer occurs {c} times in {d}')
    if not 6 <= len(a) <= 40: err(f'{qid}: answer length {len(a)}')
    if a in ci: err(f'{qid}: citizen text contains the answer')
    if not an.strip() or not ci.strip(): err(f'{qid}: empty question text')
    for t in (an, ci):
        if t in seen_text: err(f'{qid}: duplicate question text {t!r}')
        seen_text.add(t)
for d, n in per_doc.items():
    if n > 2: err(f'{d}: {n} questions (max 2)')
print(f'distinct docs with questions: {len(per_doc)}; docs with 2: {sum(1 for n in per_doc.values() if n == 2)}; without questions: {len(docs) - len(per_doc)}')
if len(per_doc) < 50: err(f'only {len(per_doc)} distinct docs')
for k, q in enumerate(oos, 1):
    if set(q) != {'id', 'question'}: err(f'oos {q.get("id")}: keys {sorted(q)}')
    if q.get('id') != f'p10-oos-{k:02d}': err(f'oos id {q.get("id")} expected p10-oos-{k:02d}')
    t = q.get('question', '')
    if not t.strip(): err(f'{q.get("id")}: empty')
    if t in seen_text: err(f'{q.get("id")}: duplicate question text')
    seen_text.add(t)
lens = sorted(len(q['answer']) for q in qs)
print(f'answer length min/median/max: {lens[0]}/{lens[len(lens)//2]}/{lens[-1]}')
shape = collections.Counter('第一条式' if re.search(r'^\s*第一条', texts[d], re.M) else 'other' for d in docs)
print(f'documents with a line starting 第一条: {shape["第一条式"]}; other shapes: {shape["other"]}')
if shape['第一条式'] * 2 > len(docs): err('more than half of the documents are 第一条-style')
for e in errors: print('ERROR', e)
print('PASS' if not errors else f'FAIL ({len(errors)} errors)')
sys.exit(1 if errors else 0)
