#!/bin/bash
# Incremental FASTER checkpoints against the full snapshot ones, under writes at 1M (the minute-timer runs' blocks).
# Each block: a fresh server of one build on its own copy of one generated catalog, only the feature store's
# checkpoint timer on (serve-ckpt.json: every minute; catalog save and trending refresh off), 15 s of hnsw-1m at
# 200 req/s, then hnsw-1m-events (500 Recommend + 190 RecordEvents + 10 UpsertItems per second) for 180 s after a 2 s
# warm-up, so the checkpoint fires three times; then a graceful stop. Between blocks: the KV checkpoint folder sizes.
# A block whose name holds OFF runs serve-off.json instead (no checkpoint at all: what the load costs without one).
# Usage: run.sh OUTDIR BASE_CATALOG NEW_CATALOG BASE_CLI_DIR NEW_CLI_DIR LOADTEST_DIR ORDER...   (ORDER: BASE-1 NEW-1 NEWOFF-1 ...)
O=$1; CB=$2; CN=$3; CLIB=$4; CLIN=$5; LTD=$6; shift 6; mkdir -p $O
block() { R=$1; V=${R%%-*}; CONF=ckpt; case $R in *OFF*) CONF=off;; esac
  if [ $V = BASE ]; then C=$CB; CLI=$CLIB; else C=$CN; CLI=$CLIN; fi
  KEY=$(python3 -c "import json;print(json.load(open('$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
  LT="nice -n -15 dotnet $LTD/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $KEY"
  echo "$R $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  T0=$(date +%s.%N)
  nice -n -15 dotnet $CLI/recsys.dll serve --config $C/serve-$CONF.json > $O/server-$R.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$R.log && break; sleep 0.5; done
  echo "$R listening after $(echo "$(date +%s.%N) - $T0" | bc) s"
  run() { N=$R-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1
    echo "$N $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+|errors [0-9,]+' $O/$N.txt | head -3 | tr '\n' ' ') $(grep -oE 'p99.9 [0-9.]+|max [0-9.]+' $O/$N.txt | head -2 | tr '\n' ' ')"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 0s
  run events --scenario hnsw-1m-events --duration 180s --warmup 2s
  kill -TERM $SP; wait $SP
  { echo "after $R:"; du -s --block-size=1M $C/store/kv/checkpoints/*/* $C/store/kv/hlog.log.* 2>/dev/null; python3 -c "
import json;m=json.load(open('$C/store/checkpoints.json'));print('manifest format',m['Format'],[(c['Token'][:8],(c.get('IndexToken') or c['Token'])[:8]) for c in m['Checkpoints']])"; } >> $O/checkpoint-sizes.txt
  sync; sleep 3
}
for b in "$@"; do block $b; done
