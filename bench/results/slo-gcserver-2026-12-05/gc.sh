#!/bin/bash
# Workstation GC (the CLI's setting) against Server GC (DOTNET_gcServer=1), same build (main ffcbdd4 = /work/bin-head,
# ShedAfter 50 ms default), blocks alternated W S S W. Block = fresh server: warm 200 15 s; 500 x3; 1,000 (2x);
# then the swap to ivfpq and back at 500 req/s (30 s each). Every run with a 2 s warm-up.
O=/work/runs/gc; C=/tmp/gen1m/c1mb; CLI=/work/bin-head
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json); ADM=$(jq -r '.Server.Auth.Keys[1].Key' $C/serve.json)
LT="nice -n -15 dotnet /tmp/lt-new/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP"
for V in "$@"; do
  case $V in W*) GCS=0;; S*) GCS=1;; esac
  echo "$V gcServer=$GCS damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  DOTNET_gcServer=$GCS nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(jq -r '[.warmup_s,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms,(.activation.took_ms // "")]|@tsv' $O/$N.json)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h500c --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h1000 --scenario hnsw-1m-overload --rate 1000 --duration 10s --warmup 2s
  run to-ivfpq --scenario hnsw-1m-swap --admin-key $ADM --duration 30s --warmup 2s
  run to-hnsw --scenario ivfpq-1m-swap --admin-key $ADM --duration 30s --warmup 2s
  echo "$V rss_peak $(grep VmHWM /proc/$(pgrep -f 'recsys.dll serve' | head -1)/status 2>/dev/null)"
  kill -TERM $SP; wait $SP; sync; sleep 3
done
