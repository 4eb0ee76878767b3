#!/bin/bash
# Quiet-window SLO A/B on the 1M catalog: OLD = 92c94b5 (per-call Information logs, refuse at the first look over
# MaxQueueDelay), NEW = main with LogCalls off and ShedAfter 100 ms, SEQ = NEW with Serving:ParallelSources false.
O=/work/runs/final
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
block() { V=$1; R=$2
  case $V in OLD) CLI=/work/bin-after; C=serve.json;; NEW) CLI=/work/bin-new; C=serve.json;; SEQ) CLI=/work/bin-new; C=serve-seq.json;; SHED) CLI=/work/bin-new; C=serve-shed100.json;; esac
  nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/$C > $O/server-$V$R.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V$R.log && break; sleep 0.5; done
  run() { N=$V$R-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(grep -oE 'p50 [0-9.]+|p95 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N.txt | tr '\n' ' ') load $(uptime | grep -oE 'average: [0-9.]+')"; }
  run warm --rate 200 --duration 15s --warmup 0s
  if [ "$3" = floor ]; then run r50 --rate 50 --duration 10s --warmup 2s; run r50sim --rate 50 --duration 10s --warmup 2s --mix SimilarItems=1; run r250 --rate 250 --duration 10s --warmup 2s; fi
  for r in 1 2 3; do run r500-$r --rate 500 --duration 10s --warmup 2s; done
  run overload --rate 1500 --duration 10s --warmup 0s
  run recovery --rate 750 --duration 10s --warmup 0s
  kill -TERM $SP; wait $SP; sync; sleep 3
  ls -la $O/server-$V$R.log | awk '{print "log bytes", $5}'
}
uptime
block OLD 1; block NEW 1 floor; block SEQ 1 floor; block SHED 1; block OLD 2; block NEW 2; block SEQ 2; block SHED 2
uptime
