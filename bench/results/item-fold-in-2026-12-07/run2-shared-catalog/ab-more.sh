#!/bin/bash
# Three more alternating rounds of trained.cs (rounds 4-6; ROUNDS="7 8 9 10" for more), the final build against dcd5db7, appended to trained-ab.txt.
for i in ${ROUNDS:-4 5 6}; do
  for b in base main; do
    cd /work/$b/bench/results/item-fold-in-2026-12-07
    echo "== $b run $i $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    taskset -c 1 nice -n -15 timeout 600 dotnet run -c Release --no-build trained.cs /work/data/c1m-fold
  done
done >> /work/main/bench/results/item-fold-in-2026-12-07/trained-ab.txt 2>&1
