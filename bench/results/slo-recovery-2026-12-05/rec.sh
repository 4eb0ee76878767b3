#!/bin/bash
# Is the "slow recovery after overload" the load generator's cold start? Every slow run of 2026-12-05 had --warmup 0s
# (a fresh client process: connection + JIT inside the measured window); every fast one had --warmup 2s.
# Per block, a fresh server: warm, then 500 req/s with and without warm-up before any overload, the 2x overload run
# with a warm-up, then 500 req/s with and without warm-up after it.
O=/work/runs/rec; C=/tmp/gen1m/c1mb; CLI=${CLI:-/work/bin-lp}
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
block() { V=$1
  echo "$V damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(jq -r '[.warmup_s,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms,.service_p99_ms]|@tsv' $O/$N.json)"; }
  run warm    --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  run pre-w2a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run pre-w0a --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
  run pre-w0b --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
  run pre-w2b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run ov-w2   --scenario hnsw-1m-overload --rate 1000 --duration 10s --warmup 2s
  run post-w2a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run post-w0a --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
  run ov-w0   --scenario hnsw-1m-overload --rate 1000 --duration 10s --warmup 0s
  run post-w0b --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
  run post-w2b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
}
for b in "$@"; do block $b; done
