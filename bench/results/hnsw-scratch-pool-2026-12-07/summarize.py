import re,glob,statistics as st,sys
pat=sys.argv[1] if len(sys.argv)>1 else 'logs/run*-%s.log'
res={}
for b in ('base','pool'):
    for f in sorted(glob.glob(pat%b)):
        for line in open(f):
            m=re.match(r'\| (\d+) \| ([\d,]+) \(.*?\) \| ([\d,]+) \(',line)
            if m:
                ef=int(m[1]); a=float(m[2].replace(',','')); bb=float(m[3].replace(',',''))
                res.setdefault((b,ef),[]).append((a+bb)/2)
efs=sorted({e for _,e in res})
print('| ef | base runs | base median QPS | pool runs | pool median QPS | pool/base |')
print('|---:|---:|---:|---:|---:|---:|')
for e in efs:
    x=res[('base',e)]; y=res[('pool',e)]
    print(f'| {e} | {len(x)} | {st.median(x):,.0f} | {len(y)} | {st.median(y):,.0f} | {st.median(y)/st.median(x):.3f} |')
for e in efs:
    print(e,'base',[round(v) for v in res[('base',e)]],'pool',[round(v) for v in res[('pool',e)]])
