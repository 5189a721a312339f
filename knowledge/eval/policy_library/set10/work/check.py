import sys,os,glob
sys.path.insert(0,'/tmp/b10'); from qs import Q
C='/work/eval-staging/set10/corpus'
files={os.path.basename(f)[:3]:os.path.basename(f) for f in glob.glob(C+'/*')}
bad=0
for i,(p,a,an,ci) in enumerate(Q):
    t=open(os.path.join(C,files[p]),encoding='utf-8').read()
    c=t.count(a)
    if c!=1 or not(6<=len(a)<=40) or a in ci:
        bad+=1; print(i,p,c,len(a),a, 'IN_CIT' if a in ci else '')
print(len(Q),'bad',bad, 'docs',len(set(q[0] for q in Q)))
