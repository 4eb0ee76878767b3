#!/bin/bash
# The checkpoint's size is the KV log's unflushed (mutable) region: FASTER's default MutableFraction 0.9 keeps 90% of
# the 1 GiB in-memory log mutable, and a snapshot checkpoint writes all of it. A scratch build with MutableFraction 0.1
# (bin-mf: main at 99af1ad with that one setting) against the build as it is (bin-s14), only the checkpoint on
# (serve-ckpt.json), as diag.sh's blocks: MF, BASE.
O=$1; C=$2
KEY=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet /work/bin-lt14/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $KEY"
block() { V=$1; CLI=$2
  echo "$V $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  : > $O/server-$V.log
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve-ckpt.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { R=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$R.txt; $LT --json $O/$R.json "$@" >> $O/$R.txt 2>&1
    echo "$R $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$R.txt | head -3 | tr '\n' ' ') $(grep -oE 'p99.9 [0-9.]+|max [0-9.]+' $O/$R.txt | head -2 | tr '\n' ' ')"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  run events --scenario hnsw-1m-events --duration 180s --warmup 2s
  du -sh $C/store/kv/checkpoints/cpr-checkpoints/* $C/store/kv/checkpoints/index-checkpoints/* | sed "s|$C/||" > $O/$V-checkpoint-sizes.txt
  kill -TERM $SP; wait $SP
  sync; sleep 3
}
block MF-CKPT /work/bin-mf; block BASE-CKPT /work/bin-s14
