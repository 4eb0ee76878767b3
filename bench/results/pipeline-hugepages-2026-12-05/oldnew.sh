#!/usr/bin/env bash
# In-process Recommend on the 1M catalog, one core: the CLI before the huge-page change (/work/bin-bf16, 5159852) against
# this change (/work/bin-thp2), both without --huge-pages (rows mapped from a file just rewritten: small folios).
set -u
C=/tmp/gen1m/c1m
V=$C/registry/versions/hnsw/indexes/cf/vectors.rsv
for pair in "$@"; do
  order="old new"; [ $((pair % 2)) -eq 0 ] && order="new old"
  for side in $order; do
    cp $V $V.tmp && mv -f $V.tmp $V
    [ $side = old ] && bin=/work/bin-bf16 || bin=/work/bin-thp2
    echo "=== pair $pair $side $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    taskset -c 1 nice -n -15 dotnet $bin/recsys.dll bench pipeline --data $C --requests 20000 --warmup 2000 --json /work/runs/thp-pipe/on$pair-$side.json 2>&1 | grep -v '^ \|^{\|^}' | tail -4
  done
done
