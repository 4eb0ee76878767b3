#!/bin/bash
# Is the request tail the VM's DAMON memory monitor? GBDT catalog, the same bench, DAMON paused (diagnosis only) and on
# (as delivered), three interleaved pairs. DAMON is switched back on after every paused run, and on exit.
# Usage: damon.sh OUTDIR CLI_DIR
O=$1; CLI=$2; mkdir -p $O
D=/sys/kernel/mm/damon/admin/kdamonds/0/state
trap 'echo on > $D' EXIT
B="taskset -c 1 nice -n -15 dotnet $CLI/recsys.dll bench pipeline --requests 10000 --warmup 2000 --data /work/data/c1m-gbdt"
for r in 1 2 3; do
  for dm in off on; do
    echo $dm > $D
    { date -u +"%F %T UTC"; uptime; echo "damon $(cat $D)"; } > $O/damon-$dm-run$r.txt
    $B --json $O/damon-$dm-run$r.json >> $O/damon-$dm-run$r.txt 2>&1
    echo on > $D
    echo "damon $dm run $r: $(tail -1 $O/damon-$dm-run$r.txt) | $(uptime | grep -oE 'average: [0-9.]+')"
  done
done
echo "damon after: $(cat $D)"
