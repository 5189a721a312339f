import subprocess, re, json, html, os
OUT='/work/eval-staging/set10/corpus'
prov=[]
def git(repo, spec):
    return subprocess.run(['git','show',spec],cwd=f'/work/.mirror/{repo}/repo',capture_output=True,check=True).stdout
def safe(t):
    return re.sub(r'[\\/:*?"<>|\s、，,“”"]+','_',t).strip('_')
n=0
def add(title, ext, data, **meta):
    global n
    n+=1
    fn=f'n{n:02d}_{safe(title)}.{ext}'
    open(os.path.join(OUT,fn),'wb').write(data if isinstance(data,bytes) else data.encode('utf-8'))
    meta.update(file=fn,title=title)
    prov.append(meta)
LRB='LawRefBook+Laws'; LRBC='2f4c5c23716267af9dbebbbbd6cbbf732b101981'
ZJ='DLC/浙江地方法规/地方性法规/浙江/'
regs=[
 (ZJ+'浙江省见义勇为人员奖励和保障条例(2020-11-27).md','浙江省'),
 (ZJ+'浙江省军人军属权益保障条例(2020-09-24).md','浙江省'),
 (ZJ+'浙江省预防和制止家庭暴力条例(2010-09-30).md','浙江省'),
 (ZJ+'浙江省消防条例(2021-11-25).md','浙江省'),
 (ZJ+'浙江省违法建筑处置规定(2020-09-24).md','浙江省'),
 (ZJ+'浙江省华侨权益保护条例(2018-09-30).md','浙江省'),
 (ZJ+'浙江省快递业促进条例(2021-09-30).md','浙江省'),
 (ZJ+'浙江省城市市容和环境卫生管理条例(2021-09-30).md','浙江省'),
 (ZJ+'浙江省公共信用信息管理条例(2017-09-30).md','浙江省'),
 (ZJ+'浙江省海洋环境保护条例(2017-09-30).md','浙江省'),
 (ZJ+'浙江省普陀山风景名胜区条例(2018-11-30).md','浙江省（舟山普陀山）'),
 (ZJ+'浙江省信访条例(2016-07-29).md','浙江省'),
 (ZJ+'浙江省精神卫生条例(2019-09-27).md','浙江省'),
 (ZJ+'浙江省电子商务条例(2021-09-30).md','浙江省'),
 (ZJ+'宁波市遗体捐献条例(2020-08-17).md','浙江省宁波市'),
 (ZJ+'宁波市人民调解条例(2015-04-13).md','浙江省宁波市'),
 (ZJ+'宁波市机动车维修业管理条例(2021-08-17).md','浙江省宁波市'),
 (ZJ+'宁波市城市房屋使用安全管理条例(2015-08-25).md','浙江省宁波市'),
 (ZJ+'杭州市机动车驾驶员培训管理条例(2017-12-08).md','浙江省杭州市'),
 (ZJ+'杭州市环境噪声管理条例(2010-01-13).md','浙江省杭州市'),
 (ZJ+'嘉兴市餐饮业油烟管理办法(2020-04-10).md','浙江省嘉兴市'),
 (ZJ+'温州市销售燃放烟花爆竹管理规定(2021-10-14).md','浙江省温州市'),
 (ZJ+'温州市民间融资管理条例(2013-11-22).md','浙江省温州市'),
 (ZJ+'湖州市物业管理条例(2021-04-06).md','浙江省湖州市'),
 ('行政法规/医疗事故处理条例(2002-04-04).md','国家'),
 ('行政法规/互联网上网服务营业场所管理条例(2022-03-29).md','国家'),
 ('行政法规/公共场所卫生管理条例(2019-04-23).md','国家'),
 ('行政法规/人体器官捐献和移植条例(2023-12-04).md','国家'),
 ('行政法规/关于不满300总吨船舶及沿海运输、沿海作业船舶海事赔偿限额的规定(1993-11-15).md','国家'),
 ('行政法规/个人存款账户实名制规定(2000-03-20).md','国家'),
]
for p,region in regs:
    data=git(LRB,'HEAD:'+p)
    title=re.sub(r'\(\d{4}-\d{2}-\d{2}\)$','',p.split('/')[-1][:-3])
    add(title,'md',data,region=region,shape='第一条式',repo='LawRefBook/Laws',commit=LRBC,path=p,how='git show HEAD:<path>, byte-for-byte')
for p,shape in [('行政法规/高等教育管理职责暂行规定(1986-03-12).md','一、（一）式'),('行政法规/国务院关于高级专家退休问题的补充规定(1986-02-18).md','平铺段落（补充规定）')]:
    data=git(LRB,'HEAD:'+p)
    title=re.sub(r'\(\d{4}-\d{2}-\d{2}\)$','',p.split('/')[-1][:-3])
    add(title,'md',data,region='国家',shape=shape,repo='LawRefBook/Laws',commit=LRBC,path=p,how='git show HEAD:<path>, byte-for-byte')
# gov.cn rows
rows={int(r['id']):r for r in json.load(open('/tmp/govrows.json'))}
def strip(h):
    h=re.sub(r'(?is)<(script|style)[^>]*>.*?</\1>','',h)
    h=re.sub(r'(?i)<br\s*/?>|</p>|</tr>|</div>|</h\d>','\n',h)
    h=re.sub(r'(?i)</td>',' ',h)
    h=re.sub(r'<[^>]+>','',h)
    h=html.unescape(h).replace('\xa0',' ').replace('\u3000',' ')
    lines=[l.strip() for l in h.split('\n')]
    return '\n'.join(l for l in lines if l)+'\n'
for rid,shape in [(20,'一、（一）式（转发通知+意见报告）'),(41,'编号式预案（1.1 式）'),(23,'复函（平铺+一、）'),(60,'一、（一）式（工作方案）'),(19,'通知（一、分项）'),(59,'通知（平铺段落，名单）')]:
    r=rows[rid]
    add(r['title'],'txt',strip(r['content']),region='国家',shape=shape,repo='ZhouYNF/platform-1',commit='2197df553eee3b0bc9989d91addadf2f4227fddc',path=f'db/ge_policy_raw20190217.sql [row id={rid}]',how='column content HTML stripped to text (<br>,</p>,</tr>,</div> → newline; </td> → space; tags removed; entities unescaped; blank lines dropped; lines trimmed)',docno=r['release_number'],url=r['crawl_url'],issuer=r['release_office'])
# Ningbo Haishu app items
SM='joeiren+smarths'; SMC='114d473b17237092ab19442949b62fed2457e84c'
html_titles=set()
pages=['EduHealth','EduInfo','TripInfo','LifeSpecial']
items=[]
for pg in pages:
    path=f'SmartHaiShu_WebApp/SmartHaiShu/{pg}.aspx'
    t=git(SM,f'{SMC}:{path}').decode('utf-8-sig')
    starts=[m.start() for m in re.finditer(r'<div class="panel panel-info">',t)]
    for k,s in enumerate(starts):
        e=starts[k+1] if k+1<len(starts) else t.index('</div>\n        </div>',s) if False else None
        seg=t[s:e] if e else t[s:]
        # cut the fragment at the end of panel: find the closing sequence of the panel body
        m=re.search(r'(<div class="panel panel-info">.*?<div class="panel-body"[^>]*>)(.*?)(</div>\s*</div>\s*</div>)',seg,re.S)
        frag=m.group(0); body=m.group(2)
        title=re.search(r'<button[^>]*>\s*(.*?)\s*</button>',frag,re.S).group(1).strip()
        items.append((pg,path,title,frag,body))
HTMLSET={'居民医保将进入新年度','免检车辆每2年需申领检验标志','文化卡首批有8个办卡点','新学期海曙区教育局出台新规','九月份市疾控中心健康防病提示','打的用支付宝付款可享优惠','首条有轨电车线11月动工'}
for pg,path,title,frag,body in items:
    if title in HTMLSET:
        add(title,'html',frag+'\n',region='浙江省宁波市',shape='新闻/政策解读（HTML 片段）',repo='joeiren/smarths',commit=SMC,path=path,how='one <div class="panel panel-info"> block of the ASP.NET page, copied verbatim (HTML fragment)')
    else:
        lines=[l.strip() for l in body.split('\n')]
        txt=title+'\n\n'+'\n\n'.join(l for l in lines if l)+'\n'
        add(title,'txt',txt,region='浙江省宁波市',shape='新闻/政策解读（平铺段落）',repo='joeiren/smarths',commit=SMC,path=path,how='one panel of the ASP.NET page: heading text as first line, panel-body text with each line trimmed and blank lines collapsed (no other change)')
# Ningbo social security instructions
t=git(SM,'80a5ec8e17039a3238bfca03dd60fdedbf509083:SmartHaiShu_WebApp/SmartHaiShu/ConvLiveSocialSecurity.aspx').decode('utf-8-sig')
a=t.index('<h4>  养老保险个人账户查询说明'); b=t.index('</small>',a)+len('</small>')
add('宁波市养老保险个人账户查询说明','html',t[a:b]+'\n',region='浙江省宁波市',shape='办事说明（一、1、1) 分项，HTML 片段）',repo='joeiren/smarths',commit='80a5ec8e17039a3238bfca03dd60fdedbf509083',path='SmartHaiShu_WebApp/SmartHaiShu/ConvLiveSocialSecurity.aspx',how='the <h4>…</small> block (lines 54–73) copied verbatim; title of the file is the h4 heading with 宁波市 prefixed for the file name only')
# Dalian
t=git('1912472356+SmartCity-COMPLETE','HEAD:app/src/main/java/com/cx/smartcity/bean/FileDetailBean.java').decode('utf-8')
line=[l for l in t.split('\n') if l.strip().startswith('* data : {')][0]
d=json.loads(line.split('* data : ',1)[1])
dc=subprocess.run(['git','rev-parse','HEAD'],cwd='/work/.mirror/1912472356+SmartCity-COMPLETE/repo',capture_output=True,text=True).stdout.strip()
add('大连市就业政策（中山区人社局）','html',d['content']+'\n',region='辽宁省大连市',shape='政策清单（服务对象/政策内容/文件依据/申请渠道，HTML）',repo='1912472356/SmartCity-COMPLETE',commit=dc,path='app/src/main/java/com/cx/smartcity/bean/FileDetailBean.java',how='JSON sample in the class comment (line "* data : {…}"), field data.content (HTML) written as-is after JSON unescaping',issuer=d['author'])
json.dump(prov,open('/tmp/b10/prov.json','w'),ensure_ascii=False,indent=1)
print(n)
