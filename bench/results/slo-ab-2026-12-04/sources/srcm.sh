#!/bin/bash
# Which source holds the sources stage's tail: per-source wait/run histograms at 50 and 500 req/s (1M, HNSW, parallel sources).
O=/work/runs/srcm; mkdir -p $O; CLI=/work/bin-new2
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/${CONF:-serve.json} > $O/server.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server.log && break; sleep 0.5; done
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
$LT --rate 200 --duration 15s --warmup 0s > /dev/null 2>&1
for r in 50 500; do
  uptime > $O/uptime-$r.txt
  curl -s http://127.0.0.1:9464/metrics > $O/metrics-$r-before.txt
  $LT --rate $r --duration 20s --warmup 0s --json $O/load-$r.json > $O/load-$r.txt 2>&1
  curl -s http://127.0.0.1:9464/metrics > $O/metrics-$r-after.txt
  grep p50 $O/load-$r.txt
done
kill -TERM $SP; wait $SP
