#!/bin/bash
# Swap A/B on the 1M catalog: OLD = main 6a1d438 (the load on the calling pool thread at the server's priority),
# LP = Serving:LowPriorityLoads (default true in that build). Each block a fresh server (hnsw active): warm-up 200
# req/s 15 s, then hnsw-1m-swap (500 req/s, 30 s, ivfpq activated 10 s in), then ivfpq-1m-swap (back to hnsw).
O=/work/runs/quiet; C=/tmp/gen1m/c1mb
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json); ADM=$(jq -r '.Server.Auth.Keys[1].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
block() { V=$1; CLI=$2
  echo "$V damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+|OK in [0-9.]+ ms|ResourceExhausted [0-9,]+' $O/$N.txt | tr '\n' ' ')"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  run to-ivfpq --scenario hnsw-1m-swap --admin-key $ADM --duration 30s --warmup 2s
  run to-hnsw --scenario ivfpq-1m-swap --admin-key $ADM --duration 30s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
}
for b in "$@"; do case $b in OLD*) block $b /work/bin-main;; LP*) block $b /work/bin-lp;; esac; done
