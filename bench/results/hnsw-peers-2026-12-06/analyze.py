#!/usr/bin/env python3
"""Same-run ratios of the five invocations in DIR (inv1-5.json of `bench ann --runs 3 --min-time 1s`):
per ef, A's QPS over B's within each invocation, their median and how many are above 1; A's QPS at B's recall
(log QPS linear in recall between A's two neighbouring ef rows); build seconds per invocation; median5.json.
Usage: analyze.py DIR A/B [A/B ...]   e.g. analyze.py 100k128 hnsw/hnswlib hnsw-bf16/hnsw"""
import glob, json, math, os, statistics as st, sys

d = sys.argv[1]
invs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(d, 'inv*.json')))]
ef = lambda r: int(r['params'].split('ef=')[-1].split(',')[0])
rows = lambda inv, idx: sorted((r for r in inv if r['index'] == idx), key=ef)

print(f'{d}: {len(invs)} invocations')
for idx in sorted({r['index'] for r in invs[0]}):
    print(f"build s {idx}: {' '.join('%.1f' % rows(inv, idx)[0]['build_s'] for inv in invs)}")
    for r0 in rows(invs[0], idx):
        rec = [next(r for r in rows(inv, idx) if ef(r) == ef(r0))['recall_at_10'] for inv in invs]
        qps = [next(r for r in rows(inv, idx) if ef(r) == ef(r0))['qps_median'] for inv in invs]
        print(f"  {idx} ef {ef(r0)}: recall {min(rec):.4f}-{max(rec):.4f}, QPS median {st.median(qps):,.0f}")

def at_recall(ours, target):
    pts = sorted((r['recall_at_10'], r['qps_median']) for r in ours)
    for (r0, q0), (r1, q1) in zip(pts, pts[1:]):
        if r0 <= target <= r1:
            t = (target - r0) / (r1 - r0) if r1 > r0 else 0
            return math.exp(math.log(q0) + t * (math.log(q1) - math.log(q0)))
    return None

for pair in sys.argv[2:]:
    a, b = pair.split('/')
    for rb0 in rows(invs[0], b):
        e = ef(rb0)
        same, eq = [], []
        for inv in invs:
            ra = next(r for r in rows(inv, a) if ef(r) == e)
            rb = next(r for r in rows(inv, b) if ef(r) == e)
            same.append(ra['qps_median'] / rb['qps_median'])
            q = at_recall(rows(inv, a), rb['recall_at_10'])
            eq.append(None if q is None else q / rb['qps_median'])
        ok = [x for x in eq if x]
        print(f"{a}/{b} ef {e}: same ef {' '.join('%.2f' % x for x in same)} | median {st.median(same):.2f}, ahead {sum(x > 1 for x in same)}/{len(same)}"
              f" || at {b}'s recall {' '.join('%.2f' % x if x else '-' for x in eq)}"
              + (f" | median {st.median(ok):.2f}, ahead {sum(x > 1 for x in ok)}/{len(ok)}" if ok else ''))

out = []
for r0 in invs[0]:
    same = [next(r for r in inv if r['index'] == r0['index'] and r['params'] == r0['params']) for inv in invs]
    m = dict(r0)
    m['qps_1thread'] = st.median(r['qps_median'] for r in same)
    m['recall_at_10'] = st.median(r['recall_at_10'] for r in same)
    m['p50_us'] = st.median(r['p50_us'] for r in same)
    m['invocations'] = len(same)
    for f in ('qps_runs', 'qps_min', 'qps_max', 'qps_median', 'p99_us', 'build_s'):
        m.pop(f, None)
    out.append(m)
json.dump(out, open(os.path.join(d, 'median5.json'), 'w'), indent=1)
