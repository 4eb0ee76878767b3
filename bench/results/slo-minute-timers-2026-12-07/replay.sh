#!/bin/bash
# What a longer checkpoint interval costs at a start after a crash: with checkpoints off (serve-off.json), N seconds of
# hnsw-1m-events (~200 writes/s), then kill -9, then the time to "listening" of the next start (the store replays the
# write-ahead log from the last checkpoint), against a start after a clean stop (which checkpoints on the way out).
# Usage: replay.sh OUTDIR CATALOG CLI_DIR LOADTEST_DIR SECONDS
O=$1; C=$2; CLI=$3; LTD=$4; S=$5
KEY=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet $LTD/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $KEY"
start() { # log name; prints seconds to listening
  local t0=$(date +%s.%N)
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve-off.json > $O/$1.log 2>&1 &
  SP=$!
  for i in $(seq 1 2400); do grep -q "recsys serve: listening" $O/$1.log && break; sleep 0.25; done
  echo "$1: listening after $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
}
start replay-clean-start
kill -TERM $SP; wait $SP; sync; sleep 3
start replay-before-crash
$LT --scenario hnsw-1m-events --duration ${S}s --warmup 2s > $O/replay-load.txt 2>&1
grep -E 'requests|RecordEvents:|UpsertItems:' $O/replay-load.txt
kill -KILL $SP; wait $SP 2>/dev/null; sync; sleep 3
start replay-after-crash
kill -TERM $SP; wait $SP; sync; sleep 3
start replay-after-clean-stop
kill -TERM $SP; wait $SP
