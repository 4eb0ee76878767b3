#!/bin/bash
# blk-idx.sh OUT CLI NAME: as ../checkpoint-metadata-2026-12-07/blk.sh, but every minute checkpoint takes the hash index
# too (Serving:FeatureStore:IndexCheckpointLogBytes 0: 4M buckets, a 270 MB ht.dat each time), to see what writing it costs.
O=$1; CLI=$2; N=$3
rm -rf /work/data/c1m && cp -a /work/data/c1m-pristine /work/data/c1m && sync
python3 -c "
import json;p='/work/data/c1m/serve-ckpt.json';j=json.load(open(p));j['Serving']['FeatureStore']['IndexCheckpointLogBytes']=0;json.dump(j,open(p,'w'),indent=2)"
bash /work/scratch/run.sh $O /work/data/c1m /work/data/c1m /work/scratch/ckpt/cli-base $CLI /work/scratch/ckpt/lt $N
grep -i "feature store checkpoint" $O/server-$N.log | sed -E 's/.*checkpoint [0-9a-f-]+: //'
