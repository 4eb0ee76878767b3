#!/bin/bash
cd /work/scratch
/work/scratch/blk.sh /work/scratch/prof /work/scratch/ckpt/cli-sync SYNC-1 0
/work/scratch/blk.sh /work/scratch/prof /work/scratch/ckpt/cli-new NEW-5
/work/scratch/blk.sh /work/scratch/prof /work/scratch/ckpt/cli-sync SYNC-2 0
/work/scratch/blk.sh /work/scratch/prof /work/scratch/ckpt/cli-sync SYNC-3 0
echo AB2-DONE
