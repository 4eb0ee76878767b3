#!/bin/bash
# Is the low-rate floor the VM's idle wake-up? Same server, 50 req/s, with the vCPUs idle vs kept busy by two nice-19 spinners.
O=/work/runs/idle; CLI=/work/bin-new
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/serve.json > $O/server.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server.log && break; sleep 0.5; done
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
$LT --rate 200 --duration 15s --warmup 0s > /dev/null 2>&1
run() { N=$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
  echo "$N $(grep -oE 'p50 [0-9.]+|p95 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N.txt | tr '\n' ' ') load $(uptime | grep -oE 'average: [0-9.]+')"; }
for rep in 1 2; do
  run idle$rep-rec --rate 50 --duration 10s --warmup 2s
  run idle$rep-sim --rate 50 --duration 10s --warmup 2s --mix SimilarItems=1
  nice -n 19 sh -c 'while :; do :; done' & S1=$!; nice -n 19 sh -c 'while :; do :; done' & S2=$!
  run busy$rep-rec --rate 50 --duration 10s --warmup 2s
  run busy$rep-sim --rate 50 --duration 10s --warmup 2s --mix SimilarItems=1
  run busy$rep-r500 --rate 500 --duration 10s --warmup 2s
  kill $S1 $S2
  run idle$rep-r500 --rate 500 --duration 10s --warmup 2s
done
kill -TERM $SP; wait $SP; sync
