#!/bin/bash
# kernel remainder change: before (wt-k, bbecc4e) against after (main working tree), Vector512, one after the other
while pgrep -f "kern/all.sh|./all.sh" >/dev/null; do sleep 5; done
echo "== abk build $(date -u +%T)" >> /work/runs/kern/times.log
cd /work/main && dotnet build bench/RecSys.Engine.Benchmarks -c Release -v q -nologo > /work/runs/kern/abk-build.log 2>&1 || { echo "build failed" >> /work/runs/kern/times.log; exit 1; }
F="--filter *DistanceKernel*Dot_Ours *DistanceKernel*L2_Ours *DistanceKernel*Dot_OursBFloat16Row"
for side in before after; do
  case $side in before) d=/work/wt-k;; after) d=/work/main;; esac
  echo "== abk $side $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" >> /work/runs/kern/times.log
  cd $d && nice -n -15 dotnet run --no-build --project bench/RecSys.Engine.Benchmarks -c Release -- $F > /work/runs/kern/abk-$side.log 2>&1
  rm -rf $d/bench/results/bdn
done
echo "done-abk $(date -u +%T)" >> /work/runs/kern/times.log
