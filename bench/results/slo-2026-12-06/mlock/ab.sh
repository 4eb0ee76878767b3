#!/bin/bash
# Diagnosis: does locking the server's pages (mlockall MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT through LD_PRELOAD, so
# DAMON's pageout scheme cannot unmap them) take the DAMON tail off p99 at 500 req/s? Blocks N (as shipped) and
# L (locked), each a fresh server: warm 200 req/s 15 s; 50 req/s 10 s; 500 req/s x3 (10 s, 2 s warm-up).
O=/work/runs/mlock; C=/tmp/gen1m/c1m; CLI=/work/bin-new
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP"
KD=$(pgrep -x kdamond.0 || pgrep kdamond | head -1)
for V in "$@"; do
  case $V in L*) PRE=/work/runs/mlock/liblockall.so;; *) PRE=;; esac
  echo "$V preload=${PRE:-none} damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  LD_PRELOAD=$PRE nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  SPID=$(pgrep -f "recsys.dll serve --config $C/serve.json" | head -1)
  run() { N=$V-$1; shift; k0=$(cut -d' ' -f1 /proc/$KD/schedstat); { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    k1=$(cut -d' ' -f1 /proc/$KD/schedstat)
    echo "$N $(date -u +%T) kdamond_ms $(( (k1-k0)/1000000 )) $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms]|@tsv' $O/$N.json) lck=$(grep VmLck /proc/$SPID/status | tr -s ' ' | cut -d' ' -f2) rss=$(grep VmRSS /proc/$SPID/status | tr -s ' ' | cut -d' ' -f2)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run r50 --scenario hnsw-1m --rate 50 --duration 10s --warmup 2s
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h500c --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  grep -E "lockall" $O/server-$V.log | head -2
  kill -TERM $SP; wait $SP; sync; sleep 3
done
