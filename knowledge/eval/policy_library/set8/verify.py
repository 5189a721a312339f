#!/usr/bin/env python3
"""Verify policy_set8 (standard library only). Prints PASS at the end when every check holds."""
import json, os, re, sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')
EXISTING = os.path.join(os.path.dirname(HERE), 'corpus')   # the first corpus: only listed (file names), never read
N_Q, N_OOS, MIN_DOCS, MAX_PER_DOC = 80, 20, 55, 2
MIN_CORPUS, MAX_CORPUS = 60, 80
errors = []

def err(msg): errors.append(msg)

def load(path, fields):
    rows = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                err(f'{os.path.basename(path)}:{n}: empty line'); continue
            try:
                o = json.loads(line)
            except Exception as e:
                err(f'{os.path.basename(path)}:{n}: does not parse: {e}'); continue
            if not isinstance(o, dict) or list(o.keys()) != fields:
                err(f'{os.path.basename(path)}:{n}: fields {list(o.keys()) if isinstance(o, dict) else type(o)} != {fields}')
            elif not all(isinstance(o[k], str) and o[k].strip() for k in fields):
                err(f'{os.path.basename(path)}:{n}: empty or non-string field')
            rows.append(o)
    return rows

# corpus
files = sorted(os.listdir(CORPUS))
texts = {}
for fn in files:
    if not re.fullmatch(r'n\d{2}_.+\.(txt|md)', fn):
        err(f'corpus file name not of the form nNN_title.txt|md: {fn}')
    try:
        texts[fn] = open(os.path.join(CORPUS, fn), encoding='utf-8').read()
    except UnicodeDecodeError:
        err(f'corpus file not UTF-8: {fn}')
if not (MIN_CORPUS <= len(files) <= MAX_CORPUS):
    err(f'corpus has {len(files)} files, expected {MIN_CORPUS}-{MAX_CORPUS}')
prefixes = Counter(fn.split('_')[0] for fn in files)
for p, c in prefixes.items():
    if c > 1: err(f'corpus prefix {p} used {c} times')

# no collision with the existing corpus (by full file name and by title part)
if os.path.isdir(EXISTING):
    old = os.listdir(EXISTING)
    strip = lambda fn: re.sub(r'\.(txt|md)$', '', re.sub(r'^[a-z]+\d+_', '', fn))
    old_names, old_titles = set(old), {strip(f) for f in old}
    for fn in files:
        if fn in old_names: err(f'file name collides with existing corpus: {fn}')
        if strip(fn) in old_titles: err(f'title collides with existing corpus: {fn}')
else:
    err(f'existing corpus directory not found: {EXISTING}')

# questions
qs = load(os.path.join(HERE, 'questions.jsonl'), ['id', 'doc', 'answer', 'annotator', 'citizen'])
if len(qs) != N_Q: err(f'questions.jsonl has {len(qs)} questions, expected {N_Q}')
ids = [q.get('id') for q in qs]
if ids != [f'p8-{i:03d}' for i in range(1, len(qs) + 1)]: err('question ids are not p8-001.. in order / unique')
per_doc = Counter()
for q in qs:
    doc = q.get('doc')
    if doc not in texts:
        err(f"{q.get('id')}: doc not in corpus/: {doc}"); continue
    per_doc[doc] += 1
    if q['answer'] not in texts[doc]:
        err(f"{q['id']}: answer not found verbatim in {doc}")
for d, c in per_doc.items():
    if c > MAX_PER_DOC: err(f'{d}: {c} questions (max {MAX_PER_DOC})')
if len(per_doc) < MIN_DOCS: err(f'only {len(per_doc)} distinct docs (min {MIN_DOCS})')

# out of scope
oos = load(os.path.join(HERE, 'out_of_scope.jsonl'), ['id', 'question'])
if len(oos) != N_OOS: err(f'out_of_scope.jsonl has {len(oos)} questions, expected {N_OOS}')
if [o.get('id') for o in oos] != [f'p8-oos-{i:02d}' for i in range(1, len(oos) + 1)]:
    err('out-of-scope ids are not p8-oos-01.. in order / unique')

print(f'corpus files: {len(files)}')
print(f'questions: {len(qs)}; distinct docs: {len(per_doc)}; max per doc: {max(per_doc.values()) if per_doc else 0}')
print(f'docs with 2 questions: {sum(1 for c in per_doc.values() if c == 2)}; with 1: {sum(1 for c in per_doc.values() if c == 1)}')
print(f'out-of-scope: {len(oos)}')
for e in errors: print('ERROR:', e)
print('PASS' if not errors else f'FAIL ({len(errors)} errors)')
sys.exit(1 if errors else 0)
