#!/bin/bash
# Overload and recovery on the 1M catalog, quiet machine, DAMON on, build = main + LowPriorityLoads (bin-lp).
# Sustained (sweeps of S1, p99 < 100 ms with 0 errors): hnsw 500 req/s, ivfpq 750 req/s. Each block a fresh server:
# hnsw: 500, 1000 (2x), 500, 500, 1500 (3x), 500, 500; swap to ivfpq at 200 req/s; ivfpq: 750, 1500 (2x), 750, 750.
O=/work/runs/quiet; C=/tmp/gen1m/c1mb
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json); ADM=$(jq -r '.Server.Auth.Keys[1].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
block() { V=$1; CLI=/work/bin-lp
  echo "$V damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(grep -oE 'requests [0-9,]+, ok [0-9,]+|unsent [0-9,]+|p50 [0-9.]+|p99 [0-9.]+|ResourceExhausted [0-9,]+|DeadlineExceeded [0-9,]+|OK in [0-9.]+ ms' $O/$N.txt | tr '\n' ' ')"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  run h-500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h-1000 --scenario hnsw-1m-overload --rate 1000 --duration 10s --warmup 0s
  run h-500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
  run h-500c --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
  run h-1500 --scenario hnsw-1m-overload --rate 1500 --duration 10s --warmup 0s
  run h-500d --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
  run h-500e --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
  run swap --scenario hnsw-1m-swap --admin-key $ADM --rate 200 --duration 30s --warmup 0s
  run i-750a --scenario ivfpq-1m --rate 750 --duration 10s --warmup 2s
  run i-1500 --scenario hnsw-1m-overload --rate 1500 --duration 10s --warmup 0s
  run i-750b --scenario ivfpq-1m --rate 750 --duration 10s --warmup 0s
  run i-750c --scenario ivfpq-1m --rate 750 --duration 10s --warmup 0s
  run back --scenario ivfpq-1m-swap --admin-key $ADM --rate 200 --duration 30s --warmup 0s
  kill -TERM $SP; wait $SP; sync; sleep 3
}
for b in "$@"; do block $b; done
