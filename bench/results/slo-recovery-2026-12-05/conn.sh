#!/bin/bash
# Does opening the connection before the clock (the new LoadGenerator) take the cold-start tail out of --warmup 0s runs?
# Old generator (/tmp/gen1m/loadtest) against the new one (/tmp/lt-new), alternated, one fresh server per block.
O=/work/runs/rec; C=/tmp/gen1m/c1mb; CLI=/work/bin-lp
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
for V in "$@"; do
  echo "$V damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; D=$2; shift 2; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt
    nice -n -15 dotnet $D/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(jq -r '[.warmup_s,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms,.service_p99_ms]|@tsv' $O/$N.json)"; }
  run warm /tmp/lt-new --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  for r in a b c; do
    if [ $r = b ]; then run new-w0$r /tmp/lt-new --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s; run old-w0$r /tmp/gen1m/loadtest --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s
    else run old-w0$r /tmp/gen1m/loadtest --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s; run new-w0$r /tmp/lt-new --scenario hnsw-1m --rate 500 --duration 10s --warmup 0s; fi
  done
  run new-w2 /tmp/lt-new --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
