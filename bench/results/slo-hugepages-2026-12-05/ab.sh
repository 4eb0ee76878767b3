#!/bin/bash
# Server A/B on the 1M catalog (2026-12-05): sources in turn (Serving:ParallelSources false), float32 walks, DAMON on as
# delivered; F32 = rows mapped as written (vectors.rsv rewritten before the block: small page-cache folios), HUGE = the
# same with Serving:HugePageMappings true (rows read back onto 2 MiB pages at load). Both from the same build.
# -OFF: the same with DAMON paused (diagnosis only; back on after the block). ab.log: blocks F32 1, HUGE 1, HUGE 2, F32 2;
# ab2.log: HUGE 3, F32 3; ab3.log: HUGE-OFF 1, F32-OFF 1.
O=/work/runs/slo-huge; mkdir -p $O
C=/tmp/gen1m/c1m
V=$C/registry/versions/hnsw/indexes/cf/vectors.rsv
APP=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
CLI=/work/bin-thp2
block() { V_=$1; R=$2
  D=/sys/kernel/mm/damon/admin/kdamonds/0/state; DM=on
  case $V_ in F32) CF=serve-seq.json; cp $V $V.tmp && mv -f $V.tmp $V;; HUGE) CF=serve-seq-huge.json;;
              F32-OFF) CF=serve-seq.json; DM=off; cp $V $V.tmp && mv -f $V.tmp $V;; HUGE-OFF) CF=serve-seq-huge.json; DM=off;; esac
  # DAMON paused for diagnosis only (as in slo-damon-2026-12-05), switched back on after the block.
  if [ $DM = off ]; then echo off > $D; fi
  echo "$V_$R damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T)"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/$CF > $O/server-$V_$R.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V_$R.log && break; sleep 0.5; done
  grep -E "^(AnonHugePages|FilePmdMapped)" /proc/$SP/smaps_rollup | tr -s ' ' | tr '\n' ' ' | sed "s/^/  server smaps_rollup: /"; echo
  run() { N=$V_$R-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N.txt | tr '\n' ' ') load $(uptime | grep -oE 'average: [0-9.]+') server majflt $(awk '{print $12}' /proc/$SP/stat) rss $(grep VmRSS /proc/$SP/status | tr -s ' ' | cut -d' ' -f2) kB"; }
  run warm --rate 200 --duration 15s --warmup 0s
  run r50 --rate 50 --duration 10s --warmup 2s
  for r in 1 2 3; do run r500-$r --rate 500 --duration 10s --warmup 2s; done
  kill -TERM $SP; wait $SP
  if [ $DM = off ]; then echo on > $D; fi
  sync; sleep 3
}
uptime
if [ $# -gt 0 ]; then BLOCKS=("$@"); else BLOCKS=("F32 1" "HUGE 1" "HUGE 2" "F32 2"); fi
for b in "${BLOCKS[@]}"; do block $b; done
uptime
