#!/bin/bash
# Which of the three minute timers: one block each with only that one on (the others 00:00:00), as run.sh's blocks.
O=$1; C=$2; CLI=$3; LTD=$4
while pgrep -f 'run.sh /work/main/bench' > /dev/null; do sleep 5; done
KEY=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet $LTD/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $KEY"
block() { V=$1
  echo "$V $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  : > $O/server-$V.log
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve-$(echo $V | tr A-Z a-z).json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { R=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$R.txt; $LT --json $O/$R.json "$@" >> $O/$R.txt 2>&1
    echo "$R $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$R.txt | head -3 | tr '\n' ' ') $(grep -oE 'p99.9 [0-9.]+|max [0-9.]+' $O/$R.txt | head -2 | tr '\n' ' ')"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  run events --scenario hnsw-1m-events --duration 180s --warmup 2s
  kill -TERM $SP; wait $SP
  sync; sleep 3
}
block CKPT; block SAVE; block TREND
