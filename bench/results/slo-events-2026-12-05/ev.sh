#!/bin/bash
# The shipped defaults (parallel sources, float32 walks, Serving:HugePageMappings true since 8ae1783) on the 1M catalog,
# DAMON on as delivered: PAR = Recommend only (hnsw-1m) at 500 req/s; EV = hnsw-1m-events (500 Recommend + 190
# RecordEvents + 10 UpsertItems per s, freshness probes). Each block a fresh server from serve.json.
O=/work/runs/slo-events; mkdir -p $O
C=/tmp/gen1m/c1m
APP=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
CLI=/work/bin-main
block() { V_=$1; R=$2
  echo "$V_$R damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T)"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V_$R.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V_$R.log && break; sleep 0.5; done
  grep -E "^(AnonHugePages|FilePmdMapped)" /proc/$SP/smaps_rollup | tr -s ' ' | tr '\n' ' ' | sed "s/^/  server smaps_rollup: /"; echo
  run() { N=$V_$R-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+|freshness[^\n]*' $O/$N.txt | tr '\n' ' ') load $(uptime | grep -oE 'average: [0-9.]+')"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  # EVW: the same as EV after a first, slow trickle of writes (70 req/s of the events mix for 10 s): is the first
  # events run's stall a one-time cost of the server's first writes?
  if [ $V_ = EVW ]; then run warmw --scenario hnsw-1m-events --rate 70 --duration 10s --warmup 0s; fi
  case $V_ in EV|EVW) S=hnsw-1m-events;; *) S=hnsw-1m;; esac
  for r in 1 2 3; do run r-$r --scenario $S --duration 10s --warmup 2s; done
  kill -TERM $SP; wait $SP
  sync; sleep 3
}
uptime
# ev.log: PAR 1, EV 1, EV 2, PAR 2 (the default); ev2.log: ev.sh "EVW 1"; ev3.log: ev.sh "EV 3" "EV 4" after the fold-in fix
# (the CLI republished from the fix, same path).
if [ $# -gt 0 ]; then BLOCKS=("$@"); else BLOCKS=("PAR 1" "EV 1" "EV 2" "PAR 2"); fi
for b in "${BLOCKS[@]}"; do block $b; done
uptime
