#!/usr/bin/env bash
# Issue 16 on 2026-12-06 (Zen 5 host): five invocations per shape, ours and the native peers in the same runs.
set -u
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
BIN=/work/bin-new/recsys.dll
OUT=/work/runs/peers
run() { # shape data indexes efs
  mkdir -p $OUT/$1
  for i in 1 2 3 4 5; do
    echo "=== $1 inv $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"
    nice -n -15 dotnet $BIN bench ann --data /work/data/$2 --index $3 --M 16 --efc 200 --ef $4 --k 10 --runs 3 --min-time 1s --json $OUT/$1/inv$i.json 2>&1
  done
}
case "${1:-all}" in
  128) run 100k128 syn100k128 hnsw,hnsw-bf16,hnswlib,faiss-hnsw 16,32,64 ;;
  384) run 100k384 syn100k384 hnsw,hnsw-bf16,hnswlib,faiss-hnsw 16,32,64 ;;
  1m)  run 1m96 syn1m96 hnsw,hnsw-bf16,hnswlib 32,64,128 ;;
esac
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
