#!/bin/bash
# CPU per request and a perf profile of the server at 500 req/s (1M HNSW, logs filtered).
O=/work/runs/prof; CLI=${CLI:-/work/bin-after}; CONF=${CONF:-serve.json}; TAG=${TAG:-par}
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
env "Logging__LogLevel__Microsoft.AspNetCore=Warning" "Logging__LogLevel__Grpc=Warning" DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/$CONF > $O/server-$TAG.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$TAG.log && break; sleep 0.5; done
SPID=$(pgrep -f "recsys.dll serve" | head -1)
nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m --rate 300 --duration 10s --warmup 0s > /dev/null 2>&1
nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m --rate 500 --duration 25s --warmup 2s --json $O/load-$TAG.json > $O/load-$TAG.txt 2>&1 &
LP=$!
sleep 6
LPID=$(pgrep -f RecSys.Engine.LoadTest | head -1)
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
s0=$(cpu $SPID); l0=$(cpu $LPID); t0=$(date +%s.%N)
perf record -F 499 -g -p $SPID -o $O/perf-$TAG.data -- sleep 10 2>/dev/null
s1=$(cpu $SPID); l1=$(cpu $LPID); t1=$(date +%s.%N)
python3 -c "
hz=100; dt=$t1-$t0
print('window s %.2f server cores %.2f loadgen cores %.2f' % (dt, ($s1-$s0)/hz/dt, ($l1-$l0)/hz/dt))
print('server CPU ms per request at 500/s: %.2f, loadgen %.2f' % (($s1-$s0)/hz/dt/500*1000, ($l1-$l0)/hz/dt/500*1000))
" | tee $O/cpu-$TAG.txt
uptime >> $O/cpu-$TAG.txt
wait $LP
kill -TERM $SP; wait $SP
grep -E "p50|errors" $O/load-$TAG.txt
