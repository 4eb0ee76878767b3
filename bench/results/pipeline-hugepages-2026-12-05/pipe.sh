#!/usr/bin/env bash
# In-process Recommend on the 1M catalog, one core: rows as written (small page-cache folios) vs --huge-pages.
set -u
C=/tmp/gen1m/c1m
V=$C/registry/versions/hnsw/indexes/cf/vectors.rsv
for pair in "$@"; do
  order="small huge"; [ $((pair % 2)) -eq 0 ] && order="huge small"
  for side in $order; do
    if [ $side = small ]; then cp $V $V.tmp && mv -f $V.tmp $V; flag=""; else flag="--huge-pages"; fi
    echo "=== pair $pair $side $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    taskset -c 1 nice -n -15 dotnet /work/bin-thp2/recsys.dll bench pipeline --data $C --requests 20000 --warmup 2000 $flag --json /work/runs/thp-pipe/p$pair-$side.json 2>&1 | grep -v '^ \|^{\|^}' | tail -4
  done
done
