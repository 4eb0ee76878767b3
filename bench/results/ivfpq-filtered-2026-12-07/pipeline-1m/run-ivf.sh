#!/bin/bash
# include-category Recommend at 1M after eea0636 (IVF-PQ probes on to lists with admitted items): main (IVF-PQ sources: member lists up to 13%) against exp (the 10,000-member limit for IVF-PQ too), on an IVF-PQ catalog
D=/work/data/c1m-ivf
for r in 1 2; do
  for v in main exp; do
    cd /work/scratch/cats3/$v/bench/results/category-filter-threshold-2026-12-07 && echo "== $v run $r $(date -u +%H:%M:%S) $(cat /proc/loadavg)" && taskset -c 1 dotnet run -c Release --no-build cats2.cs $D /work/scratch/cats3/ivf-$v-ids-$r.tsv 2>&1 | grep -v warning
  done
done
echo "done $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
