#!/bin/bash
# one job at a time: kernels per SIMD width, then the bf16/float32 A/B, then the 1M peers
cd /work/wt-k
for w in v512 v256 v128; do
  case $w in v512) e="";; v256) e="DOTNET_EnableAVX512=0";; v128) e="DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0";; esac
  echo "== $w $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" >> /work/runs/kern/times.log
  env $e nice -n -15 dotnet run --no-build --project bench/RecSys.Engine.Benchmarks -c Release -- --filter '*DistanceKernel*Ours*' '*DistanceKernel*Dot_TensorPrimitives*' > /work/runs/kern/$w.log 2>&1
  cp -r bench/results/bdn /work/runs/kern/bdn-$w 2>/dev/null; rm -rf bench/results/bdn
done
B=/work/wt-x/bench/RecSys.Engine.Benchmarks/bin/Release/net10.0/RecSys.Engine.Benchmarks.dll
for s in syn100k128 syn100k384 syn1m96; do
  echo "== ab $s $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)" >> /work/runs/kern/times.log
  case $s in syn1m96) efs=16,64,128;; *) efs=16,32,64;; esac
  nice -n -15 dotnet $B hnsw-ab /work/data/$s 12 $efs 6,7 > /work/runs/bf16/ab-$s.log 2>&1
done
echo "== 1m $(date -u +%T)" >> /work/runs/kern/times.log
/work/runs/bf16/run1m.sh 5 > /work/runs/bf16/run1m.log 2>&1
echo "done-all $(date -u +%T)" >> /work/runs/kern/times.log
