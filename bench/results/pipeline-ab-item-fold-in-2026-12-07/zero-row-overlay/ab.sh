#!/bin/bash
# bench pipeline at 1M after folded rows began to overlay all-zero trained rows (StoredRow reads the folded table first):
# a50bd79 (/work/bin-new, catalog c1m-new) against the final build (/work/bin-final, c1m-base), order a f f a a f, core 1.
cd "$(dirname "$0")"
n=0
for v in a50 final final a50 a50 final; do
  n=$((n + 1))
  if [ $v = a50 ]; then bin=/work/bin-new; data=/work/data/c1m-new; else bin=/work/bin-final; data=/work/data/c1m-base; fi
  f=$v-run$n
  { uptime; date -u; } > $f.txt
  taskset -c 1 nice -n -15 dotnet $bin/recsys.dll bench pipeline --data $data --requests 10000 --warmup 2000 --settle-jit-seconds 60 --json $f.json >> $f.txt 2>&1
done
echo finished > done.txt
