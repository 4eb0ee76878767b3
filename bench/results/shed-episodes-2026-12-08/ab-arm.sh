#!/bin/bash
# Interleaved blocks (../checkpoint-metadata-2026-12-07/blk.sh: a fresh copy of the 1M catalog, 15 s warm at 200 req/s,
# 180 s of hnsw-1m-events with the minute checkpoint): IO3 = f349a69 (before), ARM = 3913886 (episode logs, armed monitor).
OUT=${OUT:-/work/scratch/arm}
for b in "$@"; do
  V=${b%%-*}; if [ $V = IO3 ]; then CLI=/work/scratch/ckpt/cli-io3; else CLI=/work/scratch/ckpt/cli-arm; fi
  bash /work/scratch/blk.sh $OUT $CLI $b
done
echo ALL-DONE
