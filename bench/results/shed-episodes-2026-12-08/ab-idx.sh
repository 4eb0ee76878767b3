#!/bin/bash
# Interleaved blk-idx.sh blocks: ARM = 3913886 (the hash index written through FASTER's device, on the pool),
# IDX = the index on a device thread of its own (SynchronousMetadataCheckpointManager.GetIndexDevice).
OUT=${OUT:-/work/scratch/idx}
for b in "$@"; do
  V=${b%%-*}; if [ $V = ARM ]; then CLI=/work/scratch/ckpt/cli-arm; else CLI=/work/scratch/ckpt/cli-idx; fi
  bash "$(dirname "$0")/blk-idx.sh" $OUT $CLI $b
done
echo ALL-DONE
