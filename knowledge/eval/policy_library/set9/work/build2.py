import subprocess,json,re
def show(repo,p):
    return subprocess.run(['git','-C',repo,'show','HEAD:'+p],capture_output=True,check=True).stdout.decode('utf-8')
def head(repo): return subprocess.run(['git','-C',repo,'rev-parse','HEAD'],capture_output=True).stdout.decode().strip()
prov=json.load(open('prov.json'))
R1='/work/.mirror/hostgithub+JMSgv/repo'; p1='app/src/main/java/com/cn/gov/jms/model/OnlineTalkDetail.java'
s=show(R1,p1)
res=json.loads(re.search(r'\* results : (\[.*\])\n',s).group(1))[0]
host=json.loads(re.search(r'\* host : (\[.*\])\n',s).group(1))
out=[res['title'],'','来源：佳木斯政府网站《政务访谈》','嘉宾：'+res['quest'],'主持人：'+res['compere'],'']
for h in host:
    out.append('主持人：'+h['hostSaid'].strip()); out.append('刘黎光：'+h['questionAnswering'].strip()); out.append('')
fn='n59_整合城乡医保_落实惠民新政_佳木斯政务访谈.txt'
open('../corpus/'+fn,'w',encoding='utf-8').write('\n'.join(out))
prov.append(dict(file=fn,title='整合城乡医保 落实惠民新政（佳木斯政府网站《政务访谈》）',region='黑龙江省佳木斯市',shape='政策解读访谈 Q&A（主持人问／嘉宾答）',repo='hostgithub/JMSgv',commit=head(R1),path=p1,how='JSON sample in the class comment (fields results[0] and host[].hostSaid / questionAnswering) parsed; each exchange written as 主持人：… / 刘黎光：… lines; header lines built from results[0] (title, quest, compere); answer texts unchanged'))
R2='/work/.mirror/bxfla+AZ-ERQI/repo'; p2='app/src/main/java/az/com/newazhong/workguide/bean/WorkGuideList.java'
s=show(R2,p2)
data=json.loads(re.search(r'\* data : (\{.*\})\n',s).group(1))
g=[c for c in data['content'] if c['id']==1544][0]
fn2='n60_企业退休人员档案关系接收_办事指南.html'
open('../corpus/'+fn2,'w',encoding='utf-8').write(g['content'])
prov.append(dict(file=fn2,title='企业退休人员档案关系接收（办事指南，济南市槐荫区张庄路街道）',region='山东省济南市',shape='办事指南（HTML 片段，带内联样式）',repo='bxfla/AZ-ERQI',commit=head(R2),path=p2,how='JSON sample in the class comment, data.content[id=1544].content (HTML) written as-is after JSON unescaping'))
json.dump(prov,open('prov.json','w'),ensure_ascii=False,indent=1)
print(len(prov))
