#!/bin/bash
# Live deletes through the server at 1M items (issue 13: "deletes reach the indexes live, with no pause in serving").
# NEW = main with the two-hop HNSW delete repair (recsys published from 732a135), OLD = bbe4b1f (every Remove a pass over
# all nodes on every core). Same catalog, same load generator (732a135), one fresh server per block.
# PAR = hnsw-1m at 500 req/s (Recommend only); DEL = hnsw-1m-deletes (500 Recommend + 10 DeleteItems per s);
# DEL50 = 500 Recommend + 50 DeleteItems per s. 10 s measured + 2 s warm-up each; every delete run a fresh id range.
# Usage: run.sh OUTDIR CATALOG "NEW /path/to/cli" "OLD /path/to/cli" ...
O=$1; C=$2; shift 2; mkdir -p $O
KEY=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet /work/bin-lt9/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $KEY"
NEXT=${NEXT:-900001}   # the first id of the next delete range; 10,000 ids per delete run (a block with DEL50 uses 60,000)
block() { V=$1; CLI=$2
  echo "$V $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve.json > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N.txt | head -3 | tr '\n' ' ') | $(grep -E '^ +(Recommend|DeleteItems)' $O/$N.txt | tr -s ' ' | tr '\n' ';')"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  for r in 1 2 3; do
    run PAR-$r --scenario hnsw-1m --duration 10s --warmup 2s
    run DEL-$r --scenario hnsw-1m-deletes --duration 10s --warmup 2s --delete-ids $NEXT..$((NEXT+9999)); NEXT=$((NEXT+10000))
    if [ -n "$DEL50" ]; then
      run DEL50-$r --scenario hnsw-1m-deletes --rate 550 --mix Recommend=500,DeleteItems=50 --duration 10s --warmup 2s --delete-ids $NEXT..$((NEXT+9999)); NEXT=$((NEXT+10000))
    fi
  done
  kill -TERM $SP; wait $SP
  sync; sleep 3
}
for b in "$@"; do block $b; done
echo "next free id $NEXT"
