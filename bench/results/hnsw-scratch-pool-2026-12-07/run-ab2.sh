#!/usr/bin/env bash
# Alternates the two builds (base = ee627c9 per-thread scratch, pool = 22ecf69 pooled scratch), 5 runs each.
# Each run: bench hnsw-ab on /tmp/syn100k96 (100k x 96 cosine, cached graph M16 efC200), variants 1,1 (both sides = default
# sorted beam of that build), 12 blocks of 1000 single-thread k=10 queries per side per ef.
set -u
cd /work/scratch/hnsw-pool-ab
mkdir -p logs2
for i in 1 2 3 4 5; do
  if (( i % 2 )); then order="base pool"; else order="pool base"; fi
  for b in $order; do
    log=logs2/run$i-$b.log
    { echo "=== run $i build $b $(date -u +%T) uptime: $(uptime)"; dotnet bin-$b/RecSys.Engine.Benchmarks.dll hnsw-ab /tmp/syn100k96 12 16,32,64,128 1,1; echo "=== end $(date -u +%T) uptime: $(uptime)"; } > $log 2>&1
  done
done
