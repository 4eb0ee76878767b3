#!/bin/bash
# Samples the server's and the load generator's runnable threads (state R) every 100 ms during a block like ab.sh's.
O=/work/runs/inline; C=/tmp/gen1m/c1mx; CLI=/work/bin-exp; V=${1:-T1}; CFG=${CFG:-$C/serve.json}
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
SPID=$(pgrep -f "recsys.dll serve" | head -1)
sample() { while true; do G=$(pgrep -f "bench load" | head -1); t=$(date +%s.%N | cut -c1-14)
  sr=$(cat /proc/$SPID/task/*/stat 2>/dev/null | sed "s/.*) //" | awk '$1=="R"' | wc -l); st=$(ls /proc/$SPID/task | wc -l)
  gr=0; gt=0; [ -n "$G" ] && { gr=$(cat /proc/$G/task/*/stat 2>/dev/null | sed "s/.*) //" | awk '$1=="R"' | wc -l); gt=$(ls /proc/$G/task 2>/dev/null | wc -l); }
  echo "$t $sr $st $gr $gt"; sleep 0.1; done; }
sample > $O/threads-$V.tsv &
SM=$!
run() { N=$V-$1; shift; echo "$N start $(date +%s.%N | cut -c1-14)" >> $O/threads-$V.marks
  nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP --json $O/$N.json "$@" > $O/$N.txt 2>&1
  echo "$N $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.service_p99_ms,.max_ms]|@tsv' $O/$N.json)"; }
run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
run h2500 --scenario hnsw-1m --rate 2500 --duration 10s --warmup 2s
run x5000a --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s
run x5000b --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s
kill $SM; kill -TERM $SP; wait $SP
