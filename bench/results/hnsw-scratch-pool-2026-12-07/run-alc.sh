#!/usr/bin/env bash
# In-process A/B (both builds' RecSys.Engine.Core in one process, separate AssemblyLoadContexts), 6 processes,
# the argument (load) order alternating; 20 pairs of 1,000-query blocks per ef per process.
set -u
cd /work/scratch/hnsw-pool-ab
mkdir -p logs-alc
for i in 1 2 3 4 5 6; do
  if (( i % 2 )); then a=bin-base; b=bin-pool; else a=bin-pool; b=bin-base; fi
  { echo "=== proc $i A=$a B=$b $(date -u +%T) uptime: $(uptime)"; dotnet bin-alc/alc-ab.dll $PWD/$a $PWD/$b /tmp/hnsw-ab-graph-syn100k96 /tmp/syn100k96 20 16,32,64,128; echo "=== end $(date -u +%T) uptime: $(uptime)"; } > logs-alc/proc$i.log 2>&1
done
