#!/usr/bin/env bash
# In process, one saved 1M graph: variant 1 (rows mapped on 4 KiB pages) against variant 4 (the same file PMD-mapped on 2 MiB page-cache folios).
set -u
for r in "$@"; do
  echo "=== harness run $r $(date -u +%T)"
  nice -n -15 dotnet /work/main/bench/RecSys.Engine.Benchmarks/bin/Release/net10.0/RecSys.Engine.Benchmarks.dll hnsw-ab /work/data/syn1m96 30 32,64,128 1,4 2>&1
done
