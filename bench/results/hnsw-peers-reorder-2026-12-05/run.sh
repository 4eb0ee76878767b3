#!/usr/bin/env bash
# Issue 16 after d3facae (bench ann's hnsw ends its build in the breadth-first copy, inside the timed build):
# five invocations per shape of hnsw, hnsw-bf16 (384 and 128 only) and hnswlib 0.6.2 in the same runs.
set -u
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
BIN=/work/bin-reorder/recsys.dll
OUT=/work/runs/reorder
run() { # shape data indexes efs
  for i in 1 2 3 4 5; do
    echo "=== $1 inv $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"
    nice -n -15 dotnet $BIN bench ann --data /work/data/$2 --index $3 --M 16 --efc 200 --ef $4 --k 10 --runs 3 --min-time 1s --json $OUT/$1/inv$i.json 2>&1
  done
}
mkdir -p $OUT/100k384 $OUT/100k128 $OUT/1m96
case "${1:-all}" in
  384) run 100k384 syn100k384 hnsw,hnsw-bf16,hnswlib 16,32,64 ;;
  128) run 100k128 syn100k128 hnsw,hnsw-bf16,hnswlib 16,32,64 ;;
  1m)  run 1m96 syn1m96 hnsw,hnswlib 32,64,128 ;;
esac
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
