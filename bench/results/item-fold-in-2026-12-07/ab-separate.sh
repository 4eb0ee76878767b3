#!/bin/bash
# The common event call, base (dcd5db7, /work/base) against the final build, each on its own fresh copy of the 1M catalog
# (c1m-base, c1m-new: a shared copy biased the second run of each round, which replayed more of the store's log), in
# ABBA order over four rounds, core 1 at nice -15.
out=/work/main/bench/results/item-fold-in-2026-12-07/trained-ab.txt
run() { # build, catalog
  cd /work/$1/bench/results/item-fold-in-2026-12-07
  echo "== $1 $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  taskset -c 1 nice -n -15 timeout 600 dotnet run -c Release --no-build trained.cs /work/data/$2
}
for i in 1 2; do
  run base c1m-base; run main c1m-new; run main c1m-new; run base c1m-base
done > $out 2>&1
