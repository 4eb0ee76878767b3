#!/bin/bash
# recall@200 and latency of filtered HNSW search at the pipeline's regime (k 200, ef raised to k) on the cached 1M graph
cd /work/scratch/ef-study  # bin/ = the harness at 77dfe7d (before), bin2/ = this change (after)
C=corr1,corr2,corr4,corr8,corr4in,rand25,none
echo "== start $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet bin/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 300 200 walk@200,acorn@200,acorn@300,acorn@400,acorn@600,acorn@800 $C 200 2>&1
echo "== end $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
