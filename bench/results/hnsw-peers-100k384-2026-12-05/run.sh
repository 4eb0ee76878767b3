#!/usr/bin/env bash
# Issue 16, 100k x 384 on a quiet machine: five invocations of main (ffcbdd4), each building our hnsw, hnsw-bf16 and
# hnswlib 0.6.2 (2 threads) and timing them in the same runs (3 runs of >= 1 s per row, candidates interleaved).
set -u
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
for i in 1 2 3 4 5; do
  echo "=== inv $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"
  nice -n -15 dotnet /work/bin-head/recsys.dll bench ann --data /work/data/syn100k384 --index hnsw,hnsw-bf16,hnswlib --M 16 --efc 200 --ef 16,32,64 --k 10 --runs 3 --min-time 1s --json /work/runs/p384/inv$i.json 2>&1
done
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
