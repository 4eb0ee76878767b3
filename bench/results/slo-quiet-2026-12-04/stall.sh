#!/bin/bash
# stall.sh CLI_DIR CONFIG NAME : start `recsys serve`, run the first load right after it is ready, stop it.
CLI=$1; CFG=$2; NAME=$3; O=/work/runs/stall
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
sync; echo 3 > /proc/sys/vm/drop_caches   # a cold start: the store's files are not in the page cache
{ date -u +"%F %T UTC"; uptime; } > $O/$NAME.txt
nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/$NAME.server.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/$NAME.server.log && break; sleep 0.5; done
echo "ready after ${i} polls" >> $O/$NAME.txt
nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m --rate 100 --duration 10s --warmup 0s --json $O/$NAME.json >> $O/$NAME.txt 2>&1
nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m --rate 100 --duration 10s --warmup 0s --json $O/$NAME-second.json >> $O/$NAME.txt 2>&1
kill -TERM $SP; wait $SP
uptime >> $O/$NAME.txt
grep -E "requests|p50|p99|errors|ready" $O/$NAME.txt | head -12
