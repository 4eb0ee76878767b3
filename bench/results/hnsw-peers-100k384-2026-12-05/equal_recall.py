# Our QPS interpolated (log QPS linear in recall between our ef rows) at hnswlib's recall of the same invocation.
import json,math,statistics as st
for idx in ['hnsw','hnsw-bf16']:
    out={}
    for i in range(1,6):
        d=json.load(open(f'inv{i}.json'))
        ours=sorted([(r['recall_at_10'],r['qps_median']) for r in d if r['index']==idx])
        for r in d:
            if r['index']!='hnswlib': continue
            ef=r['params'].split(',')[-1]; rl=r['recall_at_10']; q=None
            for (r0,q0),(r1,q1) in zip(ours,ours[1:]):
                if r0<=rl<=r1:
                    t=(rl-r0)/(r1-r0) if r1>r0 else 0; q=math.exp(math.log(q0)+t*(math.log(q1)-math.log(q0)))
            out.setdefault(ef,[]).append(None if q is None else q/r['qps_median'])
    for ef,v in out.items():
        ok=[x for x in v if x]
        print(idx, ef, ' '.join('%.2f'%x if x else '-' for x in v), '| median %.2f ahead %d/%d'%(st.median(ok),sum(x>1 for x in ok),len(ok)) if ok else '')
