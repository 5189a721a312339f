#!/usr/bin/env python3
"""Checks policy evaluation set 9 (standard library only)."""
import json, os, sys, collections, re

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, 'corpus')
errors = []

def err(msg):
    errors.append(msg)
    print('ERROR:', msg)

# corpus
names = sorted(os.listdir(CORPUS))
print('corpus files:', len(names))
if not 60 <= len(names) <= 80:
    err('corpus must hold 60-80 files, has %d' % len(names))
texts = {}
for n in names:
    if not re.match(r'^n\d\d_.+\.(md|txt|html)$', n):
        err('bad file name: ' + n)
    raw = open(os.path.join(CORPUS, n), 'rb').read()
    try:
        texts[n] = raw.decode('utf-8')
    except UnicodeDecodeError as e:
        err('not UTF-8: %s (%s)' % (n, e))
prefixes = collections.Counter(n.split('_')[0] for n in names)
for p, c in prefixes.items():
    if c > 1:
        err('duplicate number prefix ' + p)
ext = collections.Counter(n.rsplit('.', 1)[1] for n in names)
print('by extension:', dict(ext))

# questions
ids = set()
per_doc = collections.Counter()
qs = []
for i, line in enumerate(open(os.path.join(HERE, 'questions.jsonl'), encoding='utf-8'), 1):
    if not line.strip():
        continue
    q = json.loads(line)
    qs.append(q)
    for k in ('id', 'doc', 'answer', 'annotator', 'citizen'):
        if not isinstance(q.get(k), str) or not q[k].strip():
            err('line %d: missing/empty field %s' % (i, k))
    if q['id'] in ids:
        err('duplicate id ' + q['id'])
    ids.add(q['id'])
    if not re.match(r'^p9-\d{3}$', q['id']):
        err('bad id ' + q['id'])
    if q['doc'] not in texts:
        err('%s: doc not in corpus: %s' % (q['id'], q['doc']))
        continue
    per_doc[q['doc']] += 1
    c = texts[q['doc']].count(q['answer'])
    if c != 1:
        err('%s: answer occurs %d times in %s' % (q['id'], c, q['doc']))
    if q['citizen'] == q['annotator']:
        err('%s: citizen identical to annotator' % q['id'])
    title = q['doc'].split('_', 1)[1].rsplit('.', 1)[0]
    if len(title) >= 6 and title in q['citizen']:
        err('%s: citizen question names the document' % q['id'])
print('questions:', len(qs), 'distinct docs:', len(per_doc), 'max per doc:', max(per_doc.values()) if per_doc else 0)
if len(qs) != 80:
    err('need exactly 80 questions, have %d' % len(qs))
if len(per_doc) < 55:
    err('need >= 55 distinct docs, have %d' % len(per_doc))
for d, c in per_doc.items():
    if c > 2:
        err('more than 2 questions on ' + d)

# out of scope
oids = set(); oos = []
for i, line in enumerate(open(os.path.join(HERE, 'out_of_scope.jsonl'), encoding='utf-8'), 1):
    if not line.strip():
        continue
    q = json.loads(line); oos.append(q)
    if not isinstance(q.get('question'), str) or not q['question'].strip():
        err('oos line %d: empty question' % i)
    if q.get('id') in oids or q.get('id') in ids:
        err('duplicate oos id %s' % q.get('id'))
    if not re.match(r'^p9-oos-\d\d$', q.get('id', '')):
        err('bad oos id %s' % q.get('id'))
    oids.add(q.get('id'))
print('out_of_scope:', len(oos))
if len(oos) != 20:
    err('need exactly 20 out-of-scope questions, have %d' % len(oos))

# all files in the set are UTF-8
for root, _, files in os.walk(HERE):
    for f in files:
        p = os.path.join(root, f)
        if f.endswith(('.pyc',)):
            continue
        try:
            open(p, 'rb').read().decode('utf-8')
        except UnicodeDecodeError:
            err('not UTF-8: ' + os.path.relpath(p, HERE))

print('PASS' if not errors else 'FAIL (%d errors)' % len(errors))
sys.exit(1 if errors else 0)
