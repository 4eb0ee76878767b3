#!/bin/bash
# Interleaved warm.sh runs on one server build (cli-diag = f62f35e): OLD = the load generator before the priming call
# (/work/scratch/ckpt/lt), NEW = with it (c651bb8, /work/scratch/ckpt/lt-prime).
OUT=${OUT:-/work/scratch/warm}
for b in "$@"; do
  V=${b%%-*}; if [ $V = OLD ]; then L=/work/scratch/ckpt/lt; else L=/work/scratch/ckpt/lt-prime; fi
  LTD=$L bash "$(dirname "$0")/warm.sh" $OUT $b /work/scratch/ckpt/cli-diag
done
echo ALL-DONE
