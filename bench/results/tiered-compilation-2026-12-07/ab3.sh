#!/bin/bash
cd /work/scratch
for b in "SYNC-4 cli-sync" "TC0-1 cli-tc0" "PGO0-1 cli-pgo0" "SYNC-5 cli-sync" "TC0-2 cli-tc0" "PGO0-2 cli-pgo0"; do set -- $b
  /work/scratch/blk.sh /work/scratch/jit /work/scratch/ckpt/$2 $1 0
done
echo AB3-DONE
