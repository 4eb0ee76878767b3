#!/bin/bash
# 2x the sustained rate (5,000 req/s) with ShedAfter 50 ms (default, O50) against 0 (refuse at the first look, O0).
O=/work/runs/mlock; C=/tmp/gen1m/c1mboth; CLI=/work/bin-new
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP"
for V in "$@"; do
  case $V in O0*) CFG=$C/serve-shed0.json;; M20*) CFG=$C/serve-shed20.json;; *) CFG=$C/serve.json;; esac
  echo "$V $CFG damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms]|@tsv' $O/$N.json)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h2500 --scenario hnsw-1m --rate 2500 --duration 10s --warmup 2s
  run x5000a --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s
  run x5000b --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s
  run h500 --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
