#!/bin/bash
O=/work/runs/slo-quiet; CLI=/work/bin-after
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/serve.json > $O/server.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server.log && break; sleep 0.5; done
run() { N=$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1; grep -E "requests|p50|SLO" $O/$N.txt | sed "s/^/$N: /"; }
run warm --rate 200 --duration 20s
run warm2 --rate 500 --duration 10s
run sweep --sweep 250,500,750,1000,1250 --duration 10s --warmup 2s --slo-ms 10,100
for r in 1 2 3; do run r500-$r --rate 500 --duration 10s --warmup 2s; done
run overload --rate 1500 --duration 10s --warmup 0s
run recovery --rate 750 --duration 10s --warmup 0s
kill -TERM $SP; wait $SP; uptime
