#!/bin/bash
# Issue 15 after d3facae: the same server build (/work/bin-reorder) on two 1M catalogs made with the same options,
# one before the breadth-first copy (c1mb, version hnsw, built by ffcbdd4-era gen) and one after (c1mr, this build).
# Blocks alternated; block = fresh server: warm 200 15 s; 500 x3 10 s; every run with a 2 s warm-up.
O=/work/runs/slor; CLI=/work/bin-reorder
LTB="nice -n -15 dotnet /tmp/lt-new/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051"
for V in "$@"; do
  case $V in B*) C=/tmp/gen1m/c1mb;; R*) C=/tmp/gen1m/c1mr;; esac
  APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
  echo "$V $C damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*') active $(cat $C/registry/ACTIVE 2>/dev/null)"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LTB --api-key $APP --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(date -u +%T) $(jq -r '[.warmup_s,.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.p999_ms,.max_ms]|@tsv' $O/$N.json)"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h500c --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
