#!/bin/bash
# The home surface with and without the sequence source (sequence:100:0.2), alternating, one core.
# The sequence run asks for 100 more candidates, so the collaborative source keeps its 300 in both.
# usage: run.sh CATALOG TAG PAIRS
set -e
cat=$1; tag=$2; pairs=${3:-3}
for p in $(seq 1 $pairs); do
  for v in base seq; do
    extra="--candidates 500"; [ $v = seq ] && extra="--candidates 600 --add-source sequence:100:0.2"
    uptime > $tag-$v-run$p.txt
    taskset -c 1 nice -n -15 dotnet /work/bin-cur/recsys.dll bench pipeline --data $cat --requests 10000 --warmup 2000 $extra --json $tag-$v-run$p.json >> $tag-$v-run$p.txt 2>&1
    tail -1 $tag-$v-run$p.txt
  done
done
