#!/usr/bin/env bash
# Row prefetch into L2 (RowPrefetchPolicy), A/B on one saved graph per shape: bench hnsw-ab, paired blocks.
# 1 = default (Auto), 2 = bf16 default (Auto), 5/6 = float32 L1/L2, 7/8 = bf16 L1/L2.
set -u
B="nice -n -15 dotnet /work/main/bench/RecSys.Engine.Benchmarks/bin/Release/net10.0/RecSys.Engine.Benchmarks.dll hnsw-ab"
run() { echo "=== $* | $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"; $B "$@" 2>&1 | grep -v "^reading\|%$"; }
run /work/data/syn1m96 20 32,64,128 5,1
run /work/data/syn1m96 20 32,64,128 1,5
run /work/data/syn100k384 30 16,32,64 5,1
run /work/data/syn100k384 30 16,32,64 7,2
run /work/data/syn100k128 30 16,32,64 1,6
run /work/data/syn100k128 30 16,32,64 2,8
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
