#!/bin/bash
# Major page faults of the server while it serves (DAMON's pageout scheme is on in this VM: cold file pages are evicted).
O=/work/runs/faults; mkdir -p $O; CLI=/work/bin-new2
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/serve.json > $O/server.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server.log && break; sleep 0.5; done
SPID=$(pgrep -f "recsys.dll serve" | head -1)
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
f() { awk '{print "minflt", $10, "majflt", $12}' /proc/$SPID/stat; }
echo "after start: $(f)"
$LT --rate 200 --duration 15s --warmup 0s > /dev/null 2>&1
echo "after warm-up: $(f)  vmstat $(grep -E '^pgmajfault' /proc/vmstat)"
for r in 50 500 50; do
  $LT --rate $r --duration 20s --warmup 0s > $O/load-$r.txt 2>&1
  echo "after $r req/s 20 s: $(f)  vmstat $(grep -E '^pgmajfault' /proc/vmstat)  $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+' $O/load-$r.txt | tr '\n' ' ')"
done
kill -TERM $SP; wait $SP
