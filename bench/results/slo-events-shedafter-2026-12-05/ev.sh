#!/bin/bash
# hnsw-1m-events (500 Recommend + 190 RecordEvents + 10 UpsertItems per s, freshness probes) against hnsw-1m, with
# ShedAfter 0 (S0) and 50 ms (S50, the new default), one fresh server per block, every run with a warm-up.
O=/work/runs/rec; C=/tmp/gen1m/c1mb; CLI=/work/bin-lp
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/lt-new/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
for V in "$@"; do
  case $V in E0*) CFG=$C/serve.json;; E50*) CFG=$C/serve-shed50.json;; esac
  echo "$V $CFG damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(jq -r '[.warmup_s,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms,(.by_kind.Recommend.p99_ms // ""),(.freshness|tostring)]|@tsv' $O/$N.json)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run rec-a --scenario hnsw-1m --duration 10s --warmup 2s
  run ev-a --scenario hnsw-1m-events --duration 20s --warmup 5s
  run rec-b --scenario hnsw-1m --duration 10s --warmup 2s
  run ev-b --scenario hnsw-1m-events --duration 20s --warmup 5s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
