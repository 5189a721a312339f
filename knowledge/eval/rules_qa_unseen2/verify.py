#!/usr/bin/env python3
"""Check questions.yml (rules_qa_unseen2) against the rules' clause texts.

Standard library only; PyYAML is used when installed, otherwise the flow lines are
parsed by hand. Checks: file parses; 80 in-scope + 20 out-of-scope; every fact is a
2-15 character string that occurs verbatim in its clause's text (spaces removed);
every clause id exists; at most 4 questions per clause; every clause with text covered.

Usage: python3 verify.py [questions.yml] [rules.yml]
Default paths are relative to this script's folder.
"""
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
QFILE = os.path.join(HERE, 'questions.yml')
RULES = os.path.normpath(os.path.join(
    HERE, '..', '..', 'policies', 'zhoushan-open-government-rules.yml'))
if len(sys.argv) > 1:
    QFILE = sys.argv[1]
if len(sys.argv) > 2:
    RULES = sys.argv[2]
RULES = os.environ.get('RULES_YML', RULES)

try:
    import yaml  # type: ignore
except ImportError:  # pragma: no cover
    yaml = None


def nospace(s):
    return re.sub(r'\s+', '', s)


# ---------- questions ----------
def split_top(s, sep=','):
    """Split on sep outside [] and quotes."""
    out, buf, depth, quote = [], '', 0, None
    for ch in s:
        if quote:
            buf += ch
            if ch == quote:
                quote = None
            continue
        if ch in '\'"':
            quote = ch
        elif ch == '[':
            depth += 1
        elif ch == ']':
            depth -= 1
        if ch == sep and depth == 0:
            out.append(buf)
            buf = ''
        else:
            buf += ch
    if buf.strip():
        out.append(buf)
    return out


def scalar(v):
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in '\'"':
        return v[1:-1].replace("''", "'") if v[0] == "'" else v[1:-1]
    if v == 'true':
        return True
    if v == 'false':
        return False
    if v.startswith('[') and v.endswith(']'):
        return [scalar(x) for x in split_top(v[1:-1])]
    return v


def parse_questions_by_hand(text):
    qs, in_q = [], False
    for line in text.splitlines():
        if line.startswith('#') or not line.strip():
            continue
        if line.rstrip() == 'questions:':
            in_q = True
            continue
        if not in_q:
            continue
        m = re.match(r'^- \{(.*)\}\s*$', line)
        if not m:
            raise ValueError('unparsed line: ' + line)
        item = {}
        for part in split_top(m.group(1)):
            k, _, v = part.partition(':')
            item[k.strip()] = scalar(v)
        qs.append(item)
    return qs


def load_questions(path):
    text = open(path, encoding='utf-8').read()
    hand = parse_questions_by_hand(text)
    if yaml is not None:
        data = yaml.safe_load(text)
        qs = data['questions']
        # cross-check the hand parser against PyYAML
        norm = lambda q: {k: ([str(x) for x in v] if isinstance(v, list) else v) for k, v in q.items()}
        assert [norm(q) for q in qs] == [norm(q) for q in hand], 'hand parser disagrees with PyYAML'
        return qs, 'PyYAML (hand parser agrees)'
    return hand, 'hand parser'


# ---------- rules ----------
def load_clauses_by_hand(path):
    """Read structure leaves: '- id: X' ... 'text: ...' (single-line texts)."""
    clauses, cur = {}, None
    in_structure = False
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if re.match(r'^structure:', line):
            in_structure = True
            continue
        if in_structure and re.match(r'^[A-Za-z_]+:', line):
            break
        if not in_structure:
            continue
        m = re.match(r'^\s*- id:\s*(.+)$', line)
        if m:
            cur = scalar(m.group(1))
            continue
        m = re.match(r'^\s+text:\s*(.+)$', line)
        if m and cur is not None:
            clauses[cur] = scalar(m.group(1))
    return clauses


def load_clauses(path):
    if yaml is not None:
        d = yaml.safe_load(open(path, encoding='utf-8'))
        out = {}

        def walk(nodes):
            for n in nodes:
                if n.get('text'):
                    out[str(n['id'])] = n['text']
                walk(n.get('children') or [])
        walk(d['structure'])
        return out
    return load_clauses_by_hand(path)


def main():
    errors = []
    qs, how = load_questions(QFILE)
    clauses = load_clauses(RULES)
    print(f'questions: {QFILE} (parsed with {how})')
    print(f'rules:     {RULES} ({len(clauses)} clauses with text)')

    ins = [q for q in qs if not q.get('none')]
    outs = [q for q in qs if q.get('none') is True]
    print(f'in-scope: {len(ins)}  out-of-scope: {len(outs)}  total: {len(qs)}')
    if len(ins) != 80:
        errors.append(f'expected 80 in-scope, got {len(ins)}')
    if len(outs) != 20:
        errors.append(f'expected 20 out-of-scope, got {len(outs)}')

    seen_q = Counter(q.get('q') for q in qs)
    for text, n in seen_q.items():
        if n > 1:
            errors.append(f'duplicate question: {text}')

    for q in outs:
        if not q.get('q') or set(q) != {'q', 'none'}:
            errors.append(f'bad out-of-scope item: {q}')

    per = Counter()
    for q in ins:
        cid = str(q.get('clause'))
        facts = q.get('facts')
        if not q.get('q'):
            errors.append(f'missing q: {q}')
        if cid not in clauses:
            errors.append(f'unknown clause {cid!r}: {q.get("q")}')
            continue
        per[cid] += 1
        if not isinstance(facts, list) or not 1 <= len(facts) <= 2:
            errors.append(f'need 1-2 facts: {q.get("q")}')
            continue
        body = nospace(clauses[cid])
        for f in facts:
            f = str(f)
            if not 2 <= len(f) <= 15:
                errors.append(f'fact length {len(f)} not in 2..15: {f!r} ({q.get("q")})')
            if nospace(f) not in body:
                errors.append(f'fact not verbatim in clause {cid}: {f!r} ({q.get("q")})')

    for cid, n in sorted(per.items()):
        if n > 4:
            errors.append(f'clause {cid} has {n} questions (>4)')
    missing = [c for c in clauses if per[c] == 0]
    if missing:
        errors.append(f'clauses not covered: {missing}')

    chap = Counter(c.split('.')[0] for c in per.elements())
    print('per clause: ' + ', '.join(f'{c}:{per[c]}' for c in clauses))
    print('per chapter: ' + ', '.join(f'{c}:{n}' for c, n in chap.items()))

    if errors:
        print('FAIL')
        for e in errors:
            print('  - ' + e)
        return 1
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
