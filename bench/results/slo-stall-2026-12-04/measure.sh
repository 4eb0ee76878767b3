#!/bin/bash
# usage: measure.sh BINDIR LABEL RUNS OUTDIR [extra env as VAR=val ...]
BIN=$1; LABEL=$2; RUNS=$3; OUT=$4; shift 4
mkdir -p $OUT
PORT=50151
for i in $(seq 1 $RUNS); do
  LOG=$OUT/$LABEL-run$i.demo.log
  env "$@" nice -n -15 dotnet $BIN/recsys.dll demo --port $PORT > $LOG 2>&1 &
  PID=$!
  for t in $(seq 1 600); do grep -q "Serving until" $LOG && break; sleep 1; kill -0 $PID 2>/dev/null || break; done
  KEY=$(grep -o 'API key (roles read, write; made for this run): .*' $LOG | sed 's/.*: //')
  echo "$LABEL run$i started; load: $(uptime)" | tee -a $OUT/$LABEL.uptime
  ~/.dotnet/tools/dotnet-counters collect -p $PID --refresh-interval 1 --format csv -o $OUT/$LABEL-run$i.counters.csv --counters System.Runtime --duration 00:00:24 > /dev/null 2>&1 &
  CPID=$!
  sleep 1
  nice -n -15 dotnet /tmp/slo15/base/recsys.dll bench load --target 127.0.0.1:$PORT --rate 200 --duration 20s --warmup 0s \
    --mix Recommend=80,SimilarItems=10,RecordEvents=10 --users 1..20000 --items 1000..100999 --slo-ms 100,10 \
    --api-key "$KEY" --json $OUT/$LABEL-run$i.json > $OUT/$LABEL-run$i.load.txt 2>&1
  echo "$LABEL run$i done; load: $(uptime)" | tee -a $OUT/$LABEL.uptime
  wait $CPID
  kill -TERM $PID; wait $PID
  python3 -c "import json;d=json.load(open('$OUT/$LABEL-run$i.json'));print('$LABEL run$i', d['p50_ms'],d['p99_ms'],d['max_ms'],d['errors'])"
done
