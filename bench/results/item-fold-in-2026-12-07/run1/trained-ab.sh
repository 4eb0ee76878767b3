#!/bin/bash
# Alternating runs of trained.cs: base (dcd5db7) and new, same catalog copy, core 1.
for i in 1 2 3; do
  for b in base main; do
    cd /work/$b/bench/results/item-fold-in-2026-12-07
    echo "== $b run $i $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    taskset -c 1 nice -n -15 timeout 600 dotnet run -c Release --no-build trained.cs /work/data/c1m-fold
  done
done
