#!/bin/bash
# Why 500 req/s after an overload run stays at p99 ~130 ms: sample the server's threads, context switches and CPU
# every second while the runs go (500, 1000, 500, 500, 500).
O=/work/runs/quiet; C=/tmp/gen1m/c1mb; V=${1:-DG1}; CLI=${2:-/work/bin-lp}
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
echo "$V $CLI env: $(env | grep DOTNET_ | tr '\n' ' ') $(date -u +%T)"
nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
PID=$(pgrep -f "recsys.dll serve" | head -1)
[ -n "$GCW" ] && dotnet /tmp/gcwatch/bin/Release/net10.0/gcwatch.dll $PID 170 > $O/$V-gc.txt 2>&1 &
(while kill -0 $PID 2>/dev/null; do echo "$(date -u +%T.%N | cut -c1-12) thr $(grep Threads /proc/$PID/status | awk '{print $2}') vcs $(grep -h voluntary_ctxt /proc/$PID/status | awk '{print $2}' | tr '\n' ' ') cpu $(awk "{print \$14+\$15}" /proc/$PID/stat) kd $(awk "{print \$14+\$15}" /proc/$(pgrep kdamond | head -1)/stat 2>/dev/null) qd $(curl -s 127.0.0.1:9464/metrics | grep -E '^recsys_admission_queue_delay_seconds' | awk '{print $2}')"; sleep 1; done) > $O/$V-samples.txt &
run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
  echo "$N $(date -u +%T) $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p95_ms,.p99_ms,.p999_ms,.max_ms]|@tsv' $O/$N.json)"; }
run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
run h-500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
run h-1000 --scenario hnsw-1m-overload --rate 1000 --duration 10s --warmup 0s
run h-500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
run h-500c --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
sleep 25
run h-500d --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
kill -TERM $SP; wait $SP; sync; sleep 3
