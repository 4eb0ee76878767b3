#!/bin/bash
# Recommend under writes at 1M items with the server's periodic work on (its defaults: FASTER checkpoint, catalog
# snapshot save and trending refresh every minute) against all three off, each block a fresh server, ABBA.
# ON = serve-on.json (the generated serve.json as written); OFF = serve-off.json (the three intervals 00:00:00).
# Each block: warm-up 200 req/s Recommend for 15 s, then hnsw-1m-events (500 Recommend + 190 RecordEvents + 10
# UpsertItems per second, freshness probes) for 180 s after a 2 s warm-up: three minutes, so each timer fires 2-3 times.
# Usage: run.sh OUTDIR CATALOG CLI_DIR LOADTEST_DIR
O=$1; C=$2; CLI=$3; LTD=$4; mkdir -p $O
KEY=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet $LTD/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $KEY"
block() { V=$1; N=$2
  echo "$V-$N $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve-$(echo $V | tr A-Z a-z).json > $O/server-$V-$N.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V-$N.log && break; sleep 0.5; done
  run() { R=$V-$N-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$R.txt; $LT --json $O/$R.json "$@" >> $O/$R.txt 2>&1
    echo "$R $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$R.txt | head -3 | tr '\n' ' ')"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  run events --scenario hnsw-1m-events --duration 180s --warmup 2s
  kill -TERM $SP; wait $SP
  sync; sleep 3
}
block ON 1; block OFF 1; block OFF 2; block ON 2
