#!/usr/bin/env bash
# After run.sh 128 / 384: IVF-PQ against FAISS IVF-PQ at 100k x 128 on a quiet machine (one invocation, 5 runs),
# then 1M x 96 hnsw, hnsw-bf16, hnswlib, five invocations.
set -u
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
BIN=/work/bin-new/recsys.dll
OUT=/work/runs/peers
mkdir -p $OUT/ivfpq100k128
echo "=== ivfpq 100k128 $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"
nice -n -15 dotnet $BIN bench ann --data /work/data/syn100k128 --index ivfpq,faiss-ivfpq --nlist 1024 --m 32 --nprobe 4,8,16 --refine 0,100 --k 10 --runs 5 --min-time 1s --json $OUT/ivfpq100k128/ivfpq-peers-100k128.json 2>&1
echo "=== ivfpq end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
./run.sh 1m
