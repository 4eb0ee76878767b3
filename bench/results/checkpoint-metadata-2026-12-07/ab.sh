#!/bin/bash
cd /work/scratch
for b in "NEW-3 cli-new" "MIN-3 cli-min" "MIN-4 cli-min" "NEW-4 cli-new"; do set -- $b
  /work/scratch/blk.sh /work/scratch/prof /work/scratch/ckpt/$2 $1
done
echo AB-DONE
