# (1M x 96 after the breadth-first copy: invocations 1-5 of this folder.) Our QPS interpolated (log QPS linear in recall) at hnswlib's recall of the same invocation, per ef of hnswlib.
import json,math,statistics as st
out={}
for i in range(1,6):
    d=json.load(open(f'inv{i}.json'  ))
    ours=sorted([(r['recall_at_10'],r['qps_median']) for r in d if r['index']=='hnsw'])
    for r in d:
        if r['index']!='hnswlib': continue
        ef=r['params'].split(',')[-1]; rl=r['recall_at_10']
        q=None
        for (r0,q0),(r1,q1) in zip(ours,ours[1:]):
            if r0<=rl<=r1:
                t=(rl-r0)/(r1-r0) if r1>r0 else 0; q=math.exp(math.log(q0)+t*(math.log(q1)-math.log(q0)))
        if q is None and rl<ours[0][0]: q=None
        out.setdefault(ef,[]).append(None if q is None else q/r['qps_median'])
for ef,v in out.items():
    ok=[x for x in v if x]
    print(ef, 'equal-recall ratios', ' '.join('%.2f'%x if x else '-' for x in v), '| median %.2f'%st.median(ok) if ok else '', '| ahead %d/%d'%(sum(x>1 for x in ok),len(ok)))
