#!/usr/bin/env bash
# Issue 16, 1M x 96: five more invocations (6-10) of the same CLI as invocations 1-5 (/work/bin-lp = main add7f05; no
# change under src/RecSys.Engine.Core, the bench runner or native-interop since), same command, same machine.
set -u
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
for i in 6 7 8 9 10; do
  echo "=== inv $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"
  nice -n -15 dotnet /work/bin-lp/recsys.dll bench ann --data /work/data/syn1m96 --index hnsw,hnswlib --M 16 --efc 200 --ef 32,64,128 --k 10 --runs 3 --min-time 1s --json /work/runs/peers10/inv$i.json 2>&1
done
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
