#!/bin/bash
# warm.sh OUT NAME CLI: a fresh server's first seconds of load only. A fresh copy of the 1M catalog, the server started
# (serve-ckpt.json), then 15 s of hnsw-1m at 200 req/s from the moment it listens (as run.sh's warm phase), then a stop.
# With STACKS=1, dotnet-stack samples the server's threads every ~0.3 s over the first 4 s of load (stacks-NAME-K.txt).
O=$1; N=$2; CLI=$3; mkdir -p $O
rm -rf /work/data/c1m && cp -a /work/data/c1m-pristine /work/data/c1m && sync
C=/work/data/c1m
KEY=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve-ckpt.json > $O/server-$N.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$N.log && break; sleep 0.5; done
PID=$(pgrep -f "recsys.dll serve --config $C/serve-ckpt.json" | head -1)
{ date -u +"%F %T UTC"; uptime; } > $O/$N-warm.txt
nice -n -15 dotnet ${LTD:-/work/scratch/ckpt/lt}/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $KEY --json $O/$N-warm.json \
  --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s >> $O/$N-warm.txt 2>&1 &
LP=$!
if [ -n "$STACKS" ]; then for k in $(seq 1 12); do ~/.dotnet/tools/dotnet-stack report -p $PID > $O/stacks-$N-$k.txt 2>&1; done; fi
wait $LP
echo "$N $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N-warm.txt | head -3 | tr '\n' ' ')"
kill -TERM $SP; wait $SP
sleep 2
