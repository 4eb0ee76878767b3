#!/bin/bash
# The MLP's request tail: in run.sh the MLP catalog was always read straight after the GBDT catalog (two 4.5 GB stores
# sharing the page cache). Here each catalog runs three times in a row: MLP x3, then GBDT x3, then MLP x3 again.
# Usage: tail.sh OUTDIR CLI_DIR
O=$1; CLI=$2; mkdir -p $O
B="taskset -c 1 nice -n -15 dotnet $CLI/recsys.dll bench pipeline --requests 10000 --warmup 2000"
for block in mlp-a gbdt mlp-b; do
  case $block in mlp*) D=/work/data/c1m-mlp;; gbdt) D=/work/data/c1m-gbdt;; esac
  for r in 1 2 3; do
    { date -u +"%F %T UTC"; uptime; } > $O/$block-run$r.txt
    $B --data $D --json $O/$block-run$r.json >> $O/$block-run$r.txt 2>&1
    echo "$block run $r: $(tail -1 $O/$block-run$r.txt) | $(uptime | grep -oE 'average: [0-9.]+')"
  done
done
