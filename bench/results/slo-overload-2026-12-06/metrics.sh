#!/bin/bash
# The server's own histograms (Prometheus) around one 2x run: where an accepted call's time goes.
O=/work/runs/inline; C=/tmp/gen1m/c1mx; CLI=/work/bin-exp; V=${1:-M1}; CFG=${CFG:-$C/serve.json}
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
LT="nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP"
$LT --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s --json $O/$V-warm.json > /dev/null
$LT --scenario hnsw-1m --rate 2500 --duration 10s --warmup 2s --json $O/$V-h2500.json > /dev/null
curl -s http://127.0.0.1:9464/metrics > $O/$V-metrics-before.txt
$LT --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s $XA --json $O/$V-x5000.json > /dev/null
curl -s http://127.0.0.1:9464/metrics > $O/$V-metrics-after.txt
jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.service_p99_ms,.max_ms]|@tsv' $O/$V-x5000.json
kill -TERM $SP; wait $SP
