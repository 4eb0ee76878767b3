#!/usr/bin/env bash
set -u
B="nice -n -15 dotnet /work/main/bench/RecSys.Engine.Benchmarks/bin/Release/net10.0/RecSys.Engine.Benchmarks.dll hnsw-ab"
run() { echo "=== $* | $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"; $B "$@" 2>&1 | grep -v "^reading\|%$" | grep "^|\|^A =\|mapped"; }
for r in 1 2; do
run /work/data/syn100k384 30 16,32,64 1,5
run /work/data/syn100k384 30 16,32,64 5,1
run /work/data/syn100k384 30 16,32,64 2,7
run /work/data/syn100k384 30 16,32,64 7,2
done
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
