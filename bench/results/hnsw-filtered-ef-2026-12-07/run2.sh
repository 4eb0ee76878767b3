#!/bin/bash
# after: the neighbourhood probe and the 2x beam of the admitted-only walk, against the rule before (acorn1) and the
# traverse-everything walk, at the pipeline's regime (k 200, ef 200) and at the index default (k 10, ef 64)
cd /work/scratch/ef-study  # bin/ = the harness at 77dfe7d (before), bin2/ = this change (after)
C=corr1,corr2,corr4,corr8,corr4in,rand25,rand50,none
echo "== k 200 $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet bin2/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 300 200 walk,acorn1,acorn,acorn-s3 $C 200 2>&1
echo "== k 10 $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet bin2/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 500 64 walk,acorn1,acorn,acorn-s4 $C 10 2>&1
echo "== end $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
