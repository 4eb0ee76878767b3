#!/usr/bin/env bash
# Issue 16: 1M x 96 with hnsw, hnsw-bf16 and hnswlib 0.6.2 in the same runs, on the breadth-first build (main d3facae's CLI).
set -u
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
BIN=/work/bin-reorder/recsys.dll
OUT=/work/runs/bf16/1m96
mkdir -p $OUT
for i in $(seq 1 ${1:-5}); do
  echo "=== 1m96 inv $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"
  nice -n -15 dotnet $BIN bench ann --data /work/data/syn1m96 --index hnsw,hnsw-bf16,hnswlib --M 16 --efc 200 --ef 32,64,128 --k 10 --runs 3 --min-time 1s --json $OUT/inv$i.json 2>&1
done
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
