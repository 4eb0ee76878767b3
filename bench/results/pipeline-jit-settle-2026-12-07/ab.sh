#!/bin/bash
# bench pipeline on the 1M GBDT catalog: JIT settling off (0) against on (default 60 s cap), alternating.
cd /work/scratch/settle2
for round in 1 2 3; do
  for s in 0 60; do
    f=settle$s-run$round
    { date -u; uptime; } > $f.txt
    taskset -c 1 nice -n -15 dotnet /work/bin-s10b/recsys.dll bench pipeline --data /work/data/c1m-gbdt --requests 10000 --warmup 2000 --settle-jit-seconds $s --json $f.json >> $f.txt 2>&1
    { echo "rc $?"; uptime; cat /sys/kernel/mm/damon/admin/kdamonds/0/state 2>/dev/null; } >> $f.txt
  done
done
echo done > DONE
