#!/bin/bash
# The shipped defaults of 0f25013 (F: serve.json as generated): 2x once and 3x twice per block.
# Each run also reports how many of its Recommend answers ran degraded (the server's recsys_pipeline_degraded_total before and after; includes the run's warm-up).
O=/work/runs/inline/final; C=${CAT:-/tmp/gen1m/c1mx}; CLI=${CLI:-/work/bin-exp}
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP"
kd=$(pgrep kdamond | head -1)
deg() { curl -s http://127.0.0.1:9464/metrics | awk '/^recsys_pipeline_degraded_total/{print $2}' | head -1; }
for V in "$@"; do
  case $V in O*) CFG=$C/serve-old.json;; F*) CFG=$C/serve.json;; Q10*) CFG=$C/serve-q10.json;; Q5*) CFG=$C/serve-q5.json;; esac
  echo "$V $CFG damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; k0=$(awk '{print $1}' /proc/$kd/schedstat); d0=$(deg)
    $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1; k1=$(awk '{print $1}' /proc/$kd/schedstat); d1=$(deg)
    echo "$N $(date -u +%T) $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.service_p99_ms,.max_ms]|@tsv' $O/$N.json) degraded $(( ${d1:-0} - ${d0:-0} )) kdamond $(( (k1-k0)/1000000 ))ms"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h2500 --scenario hnsw-1m --rate 2500 --duration 10s --warmup 2s
  run x5000a --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s
  run x7500a --scenario hnsw-1m-overload --rate 7500 --duration 10s --warmup 2s
  run x7500b --scenario hnsw-1m-overload --rate 7500 --duration 10s --warmup 2s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
