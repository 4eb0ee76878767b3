#!/bin/bash
# Server A/B on the 1M catalog (2026-12-05): float32 against bf16 HNSW walks (Serving:HnswBFloat16Traversal), sources in
# turn (Serving:ParallelSources false), with the VM's DAMON memory monitor on (as delivered) and paused (diagnosis only;
# switched back on after each block). PAR = the shipped defaults (parallel sources, float32), DAMON on.
O=/work/runs/ab; mkdir -p $O
D=/sys/kernel/mm/damon/admin/kdamonds/0/state
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
CLI=/work/bin-bf16
block() { V=$1; R=$2
  case $V in PAR-ON) C=serve.json; DM=on;; F32-ON) C=serve-seq.json; DM=on;; BF16-ON) C=serve-bf16-seq.json; DM=on;;
             F32-OFF) C=serve-seq.json; DM=off;; BF16-OFF) C=serve-bf16-seq.json; DM=off;; esac
  if [ $DM = off ]; then echo off > $D; fi
  echo "$V$R damon $(cat $D) $(date -u +%T)"
  KP=$(pgrep -x kdamond.0); KS=""
  if [ -n "$KP" ]; then python3 /work/runs/kdamond.py $KP $O/kdamond-$V$R.tsv & KS=$!; fi
  nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/$C > $O/server-$V$R.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V$R.log && break; sleep 0.5; done
  run() { N=$V$R-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N.txt | tr '\n' ' ') load $(uptime | grep -oE 'average: [0-9.]+')"; }
  run warm --rate 200 --duration 15s --warmup 0s
  run r50 --rate 50 --duration 10s --warmup 2s
  for r in 1 2 3; do run r500-$r --rate 500 --duration 10s --warmup 2s; done
  kill -TERM $SP; wait $SP
  [ -n "$KS" ] && kill -TERM $KS && wait $KS
  if [ $DM = off ]; then echo on > $D; fi
  sync; sleep 3
}
uptime
# Blocks as arguments ("F32-OFF 2" ...); default the planned order. Run 1 used the default and was stopped after
# PAR-ON 1 (time); run 2 was `ab.sh "F32-OFF 2" "F32-ON 2"` (ab2.log).
if [ $# -gt 0 ]; then BLOCKS=("$@"); else
  BLOCKS=("F32-ON 1" "BF16-ON 1" "F32-OFF 1" "BF16-OFF 1" "PAR-ON 1" "BF16-OFF 2" "F32-OFF 2" "BF16-ON 2" "F32-ON 2" "PAR-ON 2"); fi
for b in "${BLOCKS[@]}"; do block $b; done
echo "damon after: $(cat $D)"
uptime
