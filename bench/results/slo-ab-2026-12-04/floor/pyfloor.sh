#!/bin/bash
# The low-rate floor, two clients against one server (NEW build, 1M catalog), alternating; 50 calls/s each.
O=/work/runs/pyfloor; mkdir -p $O; CLI=/work/bin-new
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/serve.json > $O/server.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server.log && break; sleep 0.5; done
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
$LT --rate 200 --duration 15s --warmup 0s > /dev/null 2>&1
uptime > $O/uptime-start.txt
for rep in 1 2 3; do
  for k in rec sim; do
    nice -n -15 /usr/bin/python3 /work/runs/pyprobe.py 127.0.0.1:50051 $APP $k 500 | tee -a $O/python.jsonl | sed "s/^/rep$rep /"
    M=Recommend=1; [ $k = sim ] && M=SimilarItems=1
    $LT --rate 50 --duration 10s --warmup 1s --mix $M --json $O/dotnet-$k-$rep.json > $O/dotnet-$k-$rep.txt 2>&1
    echo "rep$rep dotnet $k $(grep -oE 'p50 [0-9.]+|p95 [0-9.]+|p99 [0-9.]+|service p99 [0-9.]+' $O/dotnet-$k-$rep.txt | tr '\n' ' ')"
  done
done
uptime > $O/uptime-end.txt
kill -TERM $SP; wait $SP
