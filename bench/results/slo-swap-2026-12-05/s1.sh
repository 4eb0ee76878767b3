#!/bin/bash
# Quiet machine, shipped defaults (serve.json of a fresh `gen catalog --index both`, CheckpointInterval 0 as in every
# 1M run), DAMON on as delivered. One server: warm-up, sweep hnsw, swap to ivfpq under load, sweep ivfpq, swap back.
O=/work/runs/quiet; mkdir -p $O
C=/tmp/gen1m/c1mb
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
ADM=$(jq -r '.Server.Auth.Keys[1].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
CLI=/work/bin-main
TAG=${1:-S1}
echo "$TAG damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime)"
nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$TAG.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$TAG.log && break; sleep 0.5; done
echo "listening $(date -u +%T)"
run() { N=$TAG-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
  echo "$N $(date -u +%T) $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N.txt | tr '\n' ' ') load $(uptime | grep -oE 'average: [0-9.]+')"; }
run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
run sweep-hnsw --scenario hnsw-1m --sweep 300,500,750,1000,1250,1500,2000 --duration 10s --warmup 2s --slo-ms 100,10 --plot $O/$TAG-sweep-hnsw.png
grep -E "^ *[0-9]+ " $O/$TAG-sweep-hnsw.txt | head -20
run swap-to-ivfpq --scenario hnsw-1m-swap --admin-key $ADM --duration 30s --warmup 2s
run sweep-ivfpq --scenario ivfpq-1m --sweep 300,500,750,1000,1250,1500,2000 --duration 10s --warmup 2s --slo-ms 100,10 --plot $O/$TAG-sweep-ivfpq.png
grep -E "^ *[0-9]+ " $O/$TAG-sweep-ivfpq.txt | head -20
run swap-to-hnsw --scenario ivfpq-1m-swap --admin-key $ADM --duration 30s --warmup 2s
kill -TERM $SP; wait $SP
echo "done $(date -u +%T)"
