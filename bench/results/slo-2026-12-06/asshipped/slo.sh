#!/bin/bash
# As shipped (no preload): hnsw-1m 500 req/s, hnsw-1m-events (500 Recommend + 190 RecordEvents + 10 UpsertItems per s),
# 2x overload and recovery. Each block a fresh server.
O=/work/runs/mlock; C=/tmp/gen1m/c1m; CLI=/work/bin-new
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP"
KD=$(pgrep kdamond | head -1)
for V in "$@"; do
  echo "$V damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; k0=$(cut -d' ' -f1 /proc/$KD/schedstat); { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    k1=$(cut -d' ' -f1 /proc/$KD/schedstat)
    echo "$N $(date -u +%T) kdamond_ms $(( (k1-k0)/1000000 )) $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.max_ms]|@tsv' $O/$N.json) $(jq -c '[.by_kind|to_entries[]|{(.key):.value.p99_ms}]|add' $O/$N.json) fresh=$(jq -c '.freshness // {} | [.probes,.visible,.failed]' $O/$N.json)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run ev1 --scenario hnsw-1m-events --duration 20s --warmup 5s
  run ev2 --scenario hnsw-1m-events --duration 20s --warmup 5s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h1000 --scenario hnsw-1m-overload --rate 1000 --duration 10s --warmup 2s
  run h500c --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
