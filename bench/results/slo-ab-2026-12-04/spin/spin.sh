#!/bin/bash
# The thread pool's spinning: default vs queue-delay monitor off (its 5 ms probe wakes a pool worker, which then spins)
# vs the pool's spin limit at 0 (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0), vs both.
O=/work/runs/spin; mkdir -p $O; CLI=/work/bin-new2
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
block() { V=$1; R=$2
  case $V in DEF) E=""; C=serve.json;; NOMON) E=""; C=serve-noshed.json;; SPIN0) E="DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0"; C=serve.json;; BOTH) E="DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0"; C=serve-noshed.json;; esac
  env $E nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/$C > $O/server-$V$R.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V$R.log && break; sleep 0.5; done
  SPID=$(pgrep -f "recsys.dll serve" | head -1)
  $LT --rate 200 --duration 10s --warmup 0s > /dev/null 2>&1
  nv() { grep -h "^nonvoluntary" /proc/$SPID/task/*/status | awk '{n+=$2} END{print n}'; }
  for r in 50 500; do
    N=$V$R-$r; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; n0=$(nv)
    $LT --rate $r --duration 15s --warmup 2s --json $O/$N.json >> $O/$N.txt 2>&1; n1=$(nv)
    echo "$N $(grep -oE 'p50 [0-9.]+|p95 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N.txt | tr '\n' ' ') nonvol/s $(( (n1-n0)/17 )) load $(uptime | grep -oE 'average: [0-9.]+')"
  done
  kill -TERM $SP; wait $SP
}
for R in 1 2; do block DEF $R; block NOMON $R; block SPIN0 $R; block BOTH $R; done
