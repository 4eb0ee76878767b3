#!/bin/bash
# 500 req/s (the 10 ms target's rate) while a SCHED_FIFO spinner takes a vCPU for 30 ms every 500 ms: does the lower
# refusal threshold (new defaults, N) refuse calls in such blips where the old one (O: MaxQueueDelay 20 ms, degrade
# against 20 ms) did not? Three runs per block, each a fresh server.
O=/work/runs/inline/blip; C=/tmp/gen1m/c1mx; CLI=/work/bin-exp
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP"
for V in "$@"; do
  case $V in O*) CFG=$C/serve-old2.json;; N*) CFG=$C/serve.json;; esac
  echo "$V $CFG $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  $LT --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s --json $O/$V-warm.json > /dev/null 2>&1
  for r in 1 2 3; do
    chrt -f 10 python3 $O/spin.py 30 500 13 &
    PP=$!
    $LT --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s --json $O/$V-b$r.json > $O/$V-b$r.txt 2>&1
    wait $PP
    echo "$V-b$r $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.max_ms,.degraded]|@tsv' $O/$V-b$r.json)"
  done
  kill -TERM $SP; wait $SP; sync; sleep 3
done
