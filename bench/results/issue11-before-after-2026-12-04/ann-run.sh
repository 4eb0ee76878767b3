#!/bin/bash
# Interleaved before/after bench ann runs on syn100k128. Args: tree:run ...
for spec in "$@"; do
  tree=${spec%%:*}; n=${spec##*:}
  label=$tree-run$n
  echo "== $label start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/ann/log.txt
  nice -n -15 /work/$tree/src/RecSys.Engine.Cli/bin/Release/net10.0/recsys bench ann --data /work/data/syn100k128 \
    --index flat,hnsw,hnsw-bf16,ivfpq --M 16 --efc 200 --ef 16,32,64,128 --nlist 1024 --m 32 --nprobe 1,4,16,64 --refine 0,100 \
    --json /tmp/ann/$label.json > /tmp/ann/$label.log 2>&1
  echo "== $label end $(date -u +%FT%TZ) rc $? load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/ann/log.txt
done
