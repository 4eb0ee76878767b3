#!/bin/bash
# As shipped, catalog with both versions: sweep (p99 <= 10 ms), 500 req/s, writes flowing, swap to IVF-PQ and IVF-PQ
# runs, swap back, then 2x the sweep's highest passing rate and recovery. Each block a fresh server.
O=/work/runs/mlock; C=/tmp/gen1m/c1mboth; CLI=/work/bin-new
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
    echo "$N $(date -u +%T) kdamond_ms $(( (k1-k0)/1000000 )) $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.max_ms,(.activation.took_ms // "")]|@tsv' $O/$N.json 2>/dev/null) $(jq -c '[.by_kind|to_entries[]|{(.key):.value.p99_ms}]|add' $O/$N.json 2>/dev/null)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run sweep --scenario hnsw-1m --sweep 500,750,1000,1250,1500,2000,2500,3000 --slo-ms 10,100 --duration 10s --warmup 2s
  jq -r '.steps[]|[.rate_rps,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.max_ms]|@tsv' $O/$V-sweep.json
  MAXR=$(jq -r '.max_passing_rate_rps' $O/$V-sweep.json); echo "$V highest passing $MAXR"
  R2=$(python3 -c "print(int(2*float('$MAXR')) if float('$MAXR')>0 else 1000)")
  run over --scenario hnsw-1m-overload --rate $R2 --duration 10s --warmup 2s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
