#!/bin/bash
# The new defaults (MaxQueueDelay 10 ms, DegradeQueueDelay 10 ms, ShedAfter 50 ms), catalog with both versions: sweep, 500 req/s,
# writes flowing, swap to IVF-PQ and IVF-PQ runs, swap back, 2x and 3x (5,000 and 7,500 req/s), recovery. Each block a fresh server.
# Each run also prints how many of its measured answers said they ran degraded (the load report's "degraded").
O=/work/runs/inline/final; C=/tmp/gen1m/c1mboth; CLI=/work/bin-exp
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json); ADM=$(jq -r '.Server.Auth.Keys[1].Key' $C/serve.json)
LT="nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP"
KD=$(pgrep kdamond | head -1)
for V in "$@"; do
  echo "$V damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; k0=$(cut -d' ' -f1 /proc/$KD/schedstat); { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    k1=$(cut -d' ' -f1 /proc/$KD/schedstat)
    echo "$N $(date -u +%T) kdamond_ms $(( (k1-k0)/1000000 )) $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.max_ms,.degraded,(.activation.took_ms // "")]|@tsv' $O/$N.json 2>/dev/null) $(jq -c '[.by_kind|to_entries[]|{(.key):.value.p99_ms}]|add' $O/$N.json 2>/dev/null)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run sweep --scenario hnsw-1m --sweep 500,750,1000,1250,1500,2000,2500,3000,3500,4000 --slo-ms 10,100 --duration 10s --warmup 2s
  jq -r '.steps[]|[.rate_rps,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.max_ms,.degraded]|@tsv' $O/$V-sweep.json
  echo "$V highest passing $(jq -r '.max_passing_rate_rps' $O/$V-sweep.json)"
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run ev1 --scenario hnsw-1m-events --duration 20s --warmup 5s
  run to-ivfpq --scenario hnsw-1m-swap --admin-key $ADM --duration 30s --warmup 2s
  run i500a --scenario ivfpq-1m --rate 500 --duration 10s --warmup 2s
  run iev1 --scenario ivfpq-1m-events --duration 20s --warmup 5s
  run to-hnsw --scenario ivfpq-1m-swap --admin-key $ADM --duration 30s --warmup 2s
  run over --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s
  run over3 --scenario hnsw-1m-overload --rate 7500 --duration 10s --warmup 2s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
