#!/usr/bin/env python3
"""Median of the five invocations per row (index, params): writes median5.json in each shape's folder for BenchPlot,
and prints each index's per-invocation QPS ratio to another index of the same invocation (same-run ratios).
Usage: python3 median_rows.py DIR [A/B ...]   e.g.  median_rows.py 100k128 hnsw-bf16/hnsw"""
import json, statistics as st, sys, glob, os

d = sys.argv[1]
invs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(d, 'inv*.json')))]
keys = [(r['index'], r['params']) for r in invs[0]]
out = []
for key in keys:
    rows = [next(r for r in inv if (r['index'], r['params']) == key) for inv in invs]
    m = dict(rows[0])
    m['qps_1thread'] = st.median(r['qps_median'] for r in rows)
    m['recall_at_10'] = st.median(r['recall_at_10'] for r in rows)
    m['p50_us'] = st.median(r['p50_us'] for r in rows)
    m['invocations'] = len(rows)
    for f in ('qps_runs', 'qps_min', 'qps_max', 'qps_median', 'p99_us', 'build_s'):
        m.pop(f, None)
    out.append(m)
json.dump(out, open(os.path.join(d, 'median5.json'), 'w'), indent=1)
print(f'{d}: {len(invs)} invocations, {len(out)} rows -> median5.json')
for pair in sys.argv[2:]:
    a, b = pair.split('/')
    for params in [p for (i, p) in keys if i == a]:
        inv_ratio, run_ratio = [], []
        for inv in invs:
            ra = next(r for r in inv if r['index'] == a and r['params'] == params)
            rb = next(r for r in inv if r['index'] == b and r['params'] == params.replace(a, b))
            inv_ratio.append(ra['qps_median'] / rb['qps_median'])
            run_ratio += [x / y for x, y in zip(ra['qps_runs'], rb['qps_runs'])]
        print(f"{a}/{b} {params.split(',')[-1]}: per invocation {' '.join(f'{x:.2f}' for x in inv_ratio)}; "
              f"median {st.median(inv_ratio):.2f}, ahead {sum(x > 1 for x in inv_ratio)}/{len(inv_ratio)}; "
              f"per run (interleaved) median {st.median(run_ratio):.2f}, ahead {sum(x > 1 for x in run_ratio)}/{len(run_ratio)}")
