#!/bin/bash
# The event call with the interactors journaled (c49e632, /work/wt-new) against b3f4f39 (/work/base), each on its own
# copy of the 1M catalog (c1m-new, c1m-base), ABBA over two rounds, core 1 at nice -15. events.cs is
# bench/results/item-fold-in-2026-12-07/events.cs, unchanged: 300 new items x 16 users, one click per call.
out=/work/main/bench/results/interactor-journal-2026-12-07/events-ab.txt
k=0
run() { # tree, catalog
  k=$((k+1))
  cd /work/$1/bench/results/item-fold-in-2026-12-07
  echo "== $1 $(git rev-parse --short HEAD) $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  taskset -c 1 nice -n -15 timeout 900 dotnet run -c Release --no-build events.cs /work/data/$2 $((7100000000 + k * 1000))
}
for i in 1 2; do
  run base c1m-base; run wt-new c1m-new; run wt-new c1m-new; run base c1m-base
done > $out 2>&1
