#!/bin/bash
for b in "$@"; do
  V=${b%%-*}; if [ $V = BASE ]; then CLI=/work/scratch/ckpt/cli-base; elif [ $V = IO2 ]; then CLI=/work/scratch/ckpt/cli-io2; else CLI=/work/scratch/ckpt/cli-io; fi
  bash ../checkpoint-metadata-2026-12-07/blk.sh /work/scratch/io $CLI $b
done
echo ALL-DONE
