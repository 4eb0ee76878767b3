#!/bin/bash
# bench pipeline at 1M: dcd5db7 (bin-dcd, catalog c1m-base) against the item fold-in build (bin-new, c1m-new), each on
# its own copy of the generated catalog, order base new new base base new, core 1 at nice -15.
cd "$(dirname "$0")"
n=${START:-0}
for v in base new new base base new; do
  n=$((n + 1))
  if [ $v = base ]; then bin=/work/bin-dcd; data=/work/data/c1m-base; else bin=/work/bin-new; data=/work/data/c1m-new; fi
  f=$v-run$n
  { uptime; date -u; } > $f.txt
  taskset -c 1 nice -n -15 dotnet $bin/recsys.dll bench pipeline --data $data --requests 10000 --warmup 2000 --settle-jit-seconds 60 --json $f.json >> $f.txt 2>&1
done
echo finished > done.txt
