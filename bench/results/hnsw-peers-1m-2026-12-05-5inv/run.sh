#!/usr/bin/env bash
# Issue 16, 1M x 96: five invocations of main (add7f05, rows and lists on 2 MiB pages), each building our hnsw and
# hnswlib 0.6.2 and timing both in the same runs (3 runs of >= 1 s per row).
set -u
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
for i in 1 2 3 4 5; do
  echo "=== inv $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state)"
  nice -n -15 dotnet /work/bin-lp/recsys.dll bench ann --data /work/data/syn1m96 --index hnsw,hnswlib --M 16 --efc 200 --ef 32,64,128 --k 10 --runs 3 --min-time 1s --json /work/runs/peers5/inv$i.json 2>&1
done
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
