#!/bin/bash
cd /work/scratch
/work/scratch/blk.sh /work/scratch/jit /work/scratch/ckpt/cli-pgo0 PGO0-3 0
/work/scratch/blk.sh /work/scratch/jit /work/scratch/ckpt/cli-sync SYNC-6 0
/work/scratch/blk.sh /work/scratch/jit /work/scratch/ckpt/cli-pgo0 PGO0-4 0
/work/scratch/blk.sh /work/scratch/jit /work/scratch/ckpt/cli-sync SYNC-7 0
mkdir -p /work/scratch/jit/cap
/work/scratch/cap.sh /work/scratch/jit/cap /work/scratch/ckpt/cli-sync CAPSYNC-1
/work/scratch/cap.sh /work/scratch/jit/cap /work/scratch/ckpt/cli-pgo0 CAPPGO0-1
echo AB4-DONE
