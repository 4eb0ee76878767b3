#!/bin/bash
# Server:Admission:ShedAfter 0 (default) against 50 ms: do the refusals at 500 req/s and during a swap go, and what does
# overload (2x, 3x) cost? Every run with a 2 s warm-up. Block = fresh server: warm 200; 500, 500; 1,000 (2x); 500;
# 1,500 (3x); 500; then the swap to ivfpq and back at 500 req/s (30 s each).
O=/work/runs/rec; C=/tmp/gen1m/c1mb; CLI=/work/bin-lp
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json); ADM=$(jq -r '.Server.Auth.Keys[1].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/lt-new/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
for V in "$@"; do
  case $V in S0*) CFG=$C/serve.json;; S50*) CFG=$C/serve-shed50.json;; esac
  echo "$V $CFG damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(jq -r '[.warmup_s,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms,(.activation.took_ms // "")]|@tsv' $O/$N.json)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h1000 --scenario hnsw-1m-overload --rate 1000 --duration 10s --warmup 2s
  run h500c --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h1500 --scenario hnsw-1m-overload --rate 1500 --duration 10s --warmup 2s
  run h500d --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run to-ivfpq --scenario hnsw-1m-swap --admin-key $ADM --duration 30s --warmup 2s
  run to-hnsw --scenario ivfpq-1m-swap --admin-key $ADM --duration 30s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
