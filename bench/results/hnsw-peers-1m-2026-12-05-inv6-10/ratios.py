# Same-invocation ratios (ours / hnswlib median QPS) per ef, median over invocations; also per-run ratios.
import json,glob,statistics as st,sys
rows={}
for f in sorted(glob.glob(sys.argv[1] if len(sys.argv)>1 else 'inv*.json')):
    d=json.load(open(f))
    per={(r['index'],r['params'].split(',')[-1]):r for r in d}
    for (ix,ef),r in per.items():
        if ix=='hnswlib': continue
        lib=per[('hnswlib',ef)]
        runr=st.median([a/b for a,b in zip(r['qps_runs'],lib['qps_runs'])])
        rows.setdefault((ix,ef),[]).append((r['qps_median']/lib['qps_median'], runr, r['recall_at_10'], lib['recall_at_10'], r['qps_median'], lib['qps_median']))
for k,v in rows.items():
    print(k, 'median ratio %.2f'%st.median([x[0] for x in v]), '| per inv', ' '.join('%.2f'%x[0] for x in v), '| per-run med', ' '.join('%.2f'%x[1] for x in v), '| ahead %d/%d'%(sum(x[0]>1 for x in v),len(v)), '| recall', ' '.join('%.4f/%.4f'%(x[2],x[3]) for x in v), '| qps med %.0f / %.0f'%(st.median([x[4] for x in v]),st.median([x[5] for x in v])))
