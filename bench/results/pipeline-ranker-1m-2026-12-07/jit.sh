#!/bin/bash
# The request tail against what the process compiled during the timed pass (the runner's new jit_during_pass and
# gc_collections.pause_ms): the GBDT catalog, three runs as published, then three with DOTNET_TieredCompilation=0
# (every method compiled fully optimised at first call, so nothing is recompiled during the pass).
# Usage: jit.sh OUTDIR CLI_DIR
O=$1; CLI=$2; mkdir -p $O
B="taskset -c 1 nice -n -15 dotnet $CLI/recsys.dll bench pipeline --requests 10000 --warmup 2000 --data /work/data/c1m-gbdt"
for v in tiered tc0; do
  for r in 1 2 3; do
    { date -u +"%F %T UTC"; uptime; } > $O/$v-run$r.txt
    if [ $v = tc0 ]; then export DOTNET_TieredCompilation=0; else unset DOTNET_TieredCompilation; fi
    $B --json $O/$v-run$r.json >> $O/$v-run$r.txt 2>&1
    echo "$v run $r: $(tail -1 $O/$v-run$r.txt) | jit $(python3 -c "import json;d=json.load(open('$O/$v-run$r.json'));print(d['jit_during_pass'], 'gc pause ms', d['gc_collections']['pause_ms'], 'p90', d['latency_us']['p90'])")"
  done
done
