#!/bin/bash
# include-category Recommend at 1M after 564202f (the admitted-only walk at 2x beam, with the probe): main (member lists
# up to 13% of the index) against exp (up to 3%: 1-2 categories go to HNSW's filtered walk), alternating
D=/work/data/c1m-mlp
for r in 1 2; do
  for v in main exp; do
    cd /work/scratch/cats3/$v/bench/results/category-filter-threshold-2026-12-07 && echo "== $v run $r $(date -u +%H:%M:%S) $(cat /proc/loadavg)" && taskset -c 1 dotnet run -c Release --no-build cats2.cs $D /work/scratch/cats3/$v-ids-$r.tsv 2>&1 | grep -v warning
  done
done
echo "done $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
