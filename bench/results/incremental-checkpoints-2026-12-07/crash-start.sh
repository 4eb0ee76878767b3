#!/bin/bash
# Start time after kill -9, each build on its own catalog copy: a fresh server (serve-ckpt.json: a checkpoint every
# minute), 90 s of hnsw-1m-events (so one or two checkpoints land), kill -9, then a start timed to "listening", and
# a clean stop. Usage: crash-start.sh OUTDIR BASE_CATALOG NEW_CATALOG BASE_CLI_DIR NEW_CLI_DIR LOADTEST_DIR NAME...
O=$1; CB=$2; CN=$3; CLIB=$4; CLIN=$5; LTD=$6; shift 6; mkdir -p $O
listen() { # log file; prints seconds to "listening"
  T0=$(date +%s.%N)
  for i in $(seq 1 2400); do grep -q "recsys serve: listening" $1 && break; sleep 0.25; done
  echo "$(date +%s.%N) - $T0" | bc; }
for R in "$@"; do V=${R%%-*}
  if [ $V = BASE ]; then C=$CB; CLI=$CLIB; else C=$CN; CLI=$CLIN; fi
  KEY=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve-ckpt.json > $O/crash-$R-server1.log 2>&1 & SP=$!
  echo "$R first start: listening after $(listen $O/crash-$R-server1.log) s"
  nice -n -15 dotnet $LTD/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $KEY --json $O/crash-$R-load.json \
    --scenario hnsw-1m-events --duration 90s --warmup 2s > $O/crash-$R-load.txt 2>&1
  kill -9 $SP; wait $SP 2>/dev/null
  echo "$R killed after $(grep -oE 'RecordEvents: ok [0-9,]+' $O/crash-$R-load.txt)"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve-ckpt.json > $O/crash-$R-server2.log 2>&1 & SP=$!
  echo "$R start after kill -9: listening after $(listen $O/crash-$R-server2.log) s"
  kill -TERM $SP; wait $SP
  sync; sleep 3
done
