#!/bin/bash
# blk.sh OUT CLI NAME [POOLMIN]: fresh copy of the pristine catalog, one block with CLI as the NEW build;
# POOLMIN set: Server:ThreadPoolMinThreads in serve-ckpt.json (builds that know the key)
O=$1; CLI=$2; N=$3; PM=$4
rm -rf /work/data/c1m && cp -a /work/data/c1m-pristine /work/data/c1m && sync
if [ -n "$PM" ]; then python3 -c "
import json;p='/work/data/c1m/serve-ckpt.json';j=json.load(open(p));j['Server']['ThreadPoolMinThreads']=$PM;json.dump(j,open(p,'w'),indent=2)"; fi
bash /work/scratch/run.sh $O /work/data/c1m /work/data/c1m /work/scratch/ckpt/cli-base $CLI /work/scratch/ckpt/lt $N
grep -i "feature store checkpoint" $O/server-$N.log | sed -E 's/.*checkpoint [0-9a-f-]+: //'
