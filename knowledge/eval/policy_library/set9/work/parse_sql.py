import re,json,html
s=open('/tmp/gov.sql',encoding='utf-8').read()
rows=[]
for stmt in re.split(r"\ninsert into ge_policy_raw ", "\n"+s)[1:]:
    i=stmt.index(' values (')+9
    body=stmt[i:]
    # parse SQL values
    vals=[];j=0;n=len(body)
    while j<n:
        c=body[j]
        if c=="'":
            k=j+1;buf=[]
            while True:
                if body[k]=="'" and k+1<n and body[k+1]=="'": buf.append("'");k+=2;continue
                if body[k]=="\\" : buf.append(body[k+1]);k+=2;continue
                if body[k]=="'": break
                buf.append(body[k]);k+=1
            vals.append(''.join(buf));j=k+1
        elif c in ' ,\n\r\t': j+=1
        elif c==')': break
        else:
            m=re.match(r"[^,)]+",body[j:]);vals.append(m.group(0).strip());j+=m.end()
    rows.append(vals)
cols="id, crawl_url, crawl_time, index_number, title, release_office, release_number, policy_basis, wiritten_time, release_time, effect_time, content, image_url, status, html, remark".split(', ')
out=[dict(zip(cols,r)) for r in rows]
json.dump(out,open('govcn_rows.json','w'),ensure_ascii=False)
def strip(h):
    h=re.sub(r'(?i)<br\s*/?>','\n',h); h=re.sub(r'(?i)</p>','\n',h); h=re.sub(r'(?i)</tr>','\n',h); h=re.sub(r'(?i)</td>',' ',h)
    h=re.sub(r'<[^>]+>','',h); h=html.unescape(h)
    lines=[l.strip() for l in h.split('\n')]
    return '\n'.join(l for l in lines if l)+'\n'
for r in out:
    if r['id'] in ('28','29','30','15','37','25','10','50','57'):
        t=strip(r['content']); print('=====',r['id'],r['title'],r['release_number'],len(t)); print(t[:500])
