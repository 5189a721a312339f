#!/usr/bin/env python3
"""Verify rules_qa_unseen3/questions.yml against the clause texts (structure part only)
of knowledge/policies/zhoushan-open-government-rules.yml. Reads only `structure`."""
import collections, re, sys, os
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
POLICY = '/work/main/knowledge/policies/zhoushan-open-government-rules.yml'

def clause_texts():
    doc = yaml.safe_load(open(POLICY, encoding='utf-8'))
    out = {}
    def walk(nodes):
        for n in nodes:
            if n.get('text'):
                out[str(n['id'])] = n['text']
            walk(n.get('children') or [])
    walk(doc['structure'])
    return out

# For out-of-scope questions: patterns that would mean the rules DO give the detail asked.
PROBES = {
    '按舟政办发80号那个通知，申请公开信息几个工作日内答复': [r'工作日', r'\d+日内'],
    '特别加分项具体能加几分': [r'加\d+分', r'\d+分'],
    '舟山市政府的新闻发言人叫什么名字': [r'发言人[为是：:]', r'同志'],
    '12345投诉一般限时几天办完': [r'\d+(个工作)?[日天]', r'限时\d'],
    '政务公开负面清单上具体有哪几条': [r'负面清单[包如].*[：:]', r'负面清单（'],
    '网站信息发布登记的记录要存几年': [r'存档\S{0,8}\d+年', r'保存\d+年', r'保存期'],
    '省政府令第337号是哪一年发布的': [r'\d{4}年\d+月\d+日', r'337号）于'],
    '市里政务公开工作机构的办公电话是多少': [r'电话[：:]', r'\d{7,}', r'0580'],
    '全市统一的舆情监测系统是哪家公司做的': [r'公司', r'有限'],
    '政务公开业务培训每年要上多少学时': [r'学时', r'课时'],
    '舟山到宁波的轮渡早上几点开': [r'轮渡', r'航班', r'宁波'],
    '医保卡丢了去哪补办': [r'医保', r'补办'],
    '今天舟山有没有台风': [r'台风', r'天气'],
    '今年东海休渔期几号开始': [r'休渔', r'渔业'],
    '个体户营业执照年报在哪填': [r'个体', r'年报'],
    '你好 在吗': [],
    '公积金贷款最多能贷多少': [r'公积金', r'贷款'],
    '小孩上小学怎么报名划片': [r'入学', r'学区', r'小学'],
    '谢谢啊 辛苦了': [],
    '普陀山门票老年人免费吗': [r'普陀山', r'门票', r'老年'],
}

def main():
    texts = clause_texts()
    qs = yaml.safe_load(open(os.path.join(HERE, 'questions.yml'), encoding='utf-8'))['questions']
    errors = []
    seen = set()
    per_clause = collections.Counter()
    n_in = n_none = 0
    for i, q in enumerate(qs):
        text = q.get('q')
        if not isinstance(text, str) or not text.strip():
            errors.append(f'#{i}: empty question'); continue
        if text in seen:
            errors.append(f'#{i}: duplicate question {text}')
        seen.add(text)
        if q.get('none'):
            n_none += 1
            if q.get('facts') or q.get('clause'):
                errors.append(f'#{i}: none question carries facts/clause')
            if text not in PROBES:
                errors.append(f'#{i}: no probe list for out-of-scope question {text}')
            for pat in PROBES.get(text, []):
                for cid, t in texts.items():
                    if re.search(pat, t):
                        errors.append(f'#{i}: probe {pat!r} found in clause {cid} for none question {text}')
            continue
        n_in += 1
        cid = str(q.get('clause'))
        if cid not in texts:
            errors.append(f'#{i}: unknown clause {cid}'); continue
        per_clause[cid] += 1
        facts = q.get('facts') or []
        if not facts:
            errors.append(f'#{i}: no facts')
        for f in facts:
            if not (2 <= len(f) <= 20):
                errors.append(f'#{i}: fact length {len(f)} out of 2-20: {f}')
            if f not in texts[cid]:
                errors.append(f'#{i}: fact {f!r} not verbatim in clause {cid}')
            if f in text:
                errors.append(f'#{i}: fact {f!r} copied into the question')
    missing = [c for c in texts if per_clause[c] < 2]
    if missing:
        errors.append(f'clauses with <2 questions: {missing}')
    if n_in != 80: errors.append(f'in-scope count {n_in} != 80')
    if n_none != 20: errors.append(f'out-of-scope count {n_none} != 20')
    print(f'clauses in structure: {len(texts)}')
    print(f'in-scope: {n_in}  out-of-scope: {n_none}  total: {len(qs)}')
    for c in texts:
        print(f'  {c}: {per_clause[c]}')
    for e in errors:
        print('ERROR', e)
    print('FAIL' if errors else 'PASS')
    return 1 if errors else 0

if __name__ == '__main__':
    sys.exit(main())
