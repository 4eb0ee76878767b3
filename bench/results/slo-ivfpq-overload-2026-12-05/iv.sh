#!/bin/bash
# IVF-PQ at 2x its sustained rate (750 -> 1,500 req/s), every run with a warm-up, ShedAfter 50 ms (I50, the new
# default) and 0 (I0). Block = fresh server; 200 req/s 15 s; swap to ivfpq at 200 req/s; 750, 750; 1,500 (2x); 750, 750.
O=/work/runs/rec; C=/tmp/gen1m/c1mb; CLI=/work/bin-lp
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json); ADM=$(jq -r '.Server.Auth.Keys[1].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/lt-new/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
for V in "$@"; do
  case $V in I0*) CFG=$C/serve.json;; I50*) CFG=$C/serve-shed50.json;; esac
  echo "$V $CFG damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(jq -r '[.warmup_s,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms,(.activation.status // "")]|@tsv' $O/$N.json)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run swap --scenario hnsw-1m-swap --admin-key $ADM --rate 200 --duration 30s --warmup 2s
  run i750a --scenario ivfpq-1m --rate 750 --duration 10s --warmup 2s
  run i750b --scenario ivfpq-1m --rate 750 --duration 10s --warmup 2s
  run i1500 --scenario hnsw-1m-overload --rate 1500 --duration 10s --warmup 2s
  run i750c --scenario ivfpq-1m --rate 750 --duration 10s --warmup 2s
  run i750d --scenario ivfpq-1m --rate 750 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
