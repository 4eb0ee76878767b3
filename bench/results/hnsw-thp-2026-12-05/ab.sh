#!/usr/bin/env bash
# THP A/B at 1M x 96: before (4 KiB pages) and after (2 MiB pages for rows and level-0 lists), alternated.
set -u
export RECSYS_PEERS_DIR=/work/main/native-interop/peers/build
for i in "$@"; do
  for side in before thp; do
    [ $((i % 2)) -eq 0 ] && { [ $side = before ] && side=thp || side=before; }
    echo "=== alt $i $side $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    (while sleep 20; do echo "  $(date -u +%T) AnonHugePages $(grep AnonHugePages /proc/meminfo | awk '{print $2}') kB"; done) &
    mon=$!
    nice -n -15 dotnet /work/bin-$side/recsys.dll bench ann --data /work/data/syn1m96 --index hnsw,hnswlib --M 16 --efc 200 --ef 32,64,128 --k 10 --runs 3 --min-time 1s --json /work/runs/thp/alt$i-$side.json 2>&1
    kill $mon
  done
done
