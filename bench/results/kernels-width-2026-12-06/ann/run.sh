#!/usr/bin/env bash
# bench ann per SIMD width at 100k x 128 (hnsw, hnsw-bf16, hnswlib as the in-process reference), widths alternating
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
BIN=/work/bin-reorder/recsys.dll
OUT=/work/runs/width
for i in 1 2; do for w in v512 v256; do
  case $w in v512) e="";; v256) e="DOTNET_EnableAVX512=0";; esac
  echo "=== $w $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  env $e nice -n -15 dotnet $BIN bench ann --data /work/data/syn100k128 --index hnsw,hnsw-bf16,hnswlib --M 16 --efc 200 --ef 16,32,64 --k 10 --runs 3 --min-time 1s --json $OUT/$w-$i.json 2>&1 | grep -E "^\||Vector|SIMD|simd" 
done; done
echo "=== end $(date -u +%T)"
