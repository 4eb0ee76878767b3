#!/bin/bash
# In-process Recommend at 1M with the learned ranker (issue 13's benchmark: "500 candidates ranked on CPU"), one core.
# Two catalogs from `recsys gen catalog ... --ranker gbdt|mlp` (the same items, users and index; only the shipped ranker
# differs). Rounds alternate: GBDT on, MLP on, rank fusion (--ranker off, on the GBDT catalog), three rounds.
# Usage: run.sh OUTDIR CLI_DIR
O=$1; CLI=$2; mkdir -p $O
B="taskset -c 1 nice -n -15 dotnet $CLI/recsys.dll bench pipeline --requests 10000 --warmup 2000"
for r in 1 2 3; do
  for v in gbdt mlp rrf; do
    case $v in gbdt) D=/work/data/c1m-gbdt; R=on;; mlp) D=/work/data/c1m-mlp; R=on;; rrf) D=/work/data/c1m-gbdt; R=off;; esac
    { date -u +"%F %T UTC"; uptime; } > $O/$v-run$r.txt
    $B --data $D --ranker $R --json $O/$v-run$r.json >> $O/$v-run$r.txt 2>&1
    echo "$v run $r: $(tail -1 $O/$v-run$r.txt) | $(grep -o '"ranker": "[a-z-]*"' $O/$v-run$r.json) | $(uptime | grep -oE 'average: [0-9.]+')"
  done
done
