#!/bin/bash
# Targeted re-check of the rows that looked slower: V256 L2 float32 @96 (and @768), V512 dot @128, with their controls.
F256=('*DistanceKernelBenchmarks.L2_Ours(Dim: 96)' '*DistanceKernelBenchmarks.L2_TensorPrimitivesDistance(Dim: 96)' '*DistanceKernelBenchmarks.L2_Ours(Dim: 768)' '*DistanceKernelBenchmarks.L2_TensorPrimitivesDistance(Dim: 768)')
F512=('*DistanceKernelBenchmarks.Dot_Ours(Dim: 128)' '*DistanceKernelBenchmarks.Dot_OursBFloat16Row(Dim: 128)' '*DistanceKernelBenchmarks.Dot_TensorPrimitives(Dim: 128)')
for ((r=1; r<=$1; r++)); do
  if (( r % 2 )); then seq="before:256 after:256 before:512 after:512"; else seq="after:512 before:512 after:256 before:256"; fi
  for spec in $seq; do
    tree=${spec%%:*}; rung=${spec##*:}; label=c$r-$tree-v$rung
    cd /var/tmp/bdn/cwd; B=/work/$tree/bench/RecSys.Engine.Benchmarks
    envs=(DOTNET_TieredCompilation=0); F=("${F512[@]}"); [ "$rung" = 256 ] && { envs+=(DOTNET_EnableAVX512=0); F=("${F256[@]}"); }
    echo "== $label start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/kern/clog.txt
    env "${envs[@]}" nice -n -15 dotnet $B/bin/Release/net10.0/RecSys.Engine.Benchmarks.dll --inProcess --launchCount 1 \
      --warmupCount 3 --iterationCount 9 --iterationTime 200 --filter "${F[@]}" --artifacts /tmp/kern/art-$label > /tmp/kern/$label.txt 2>&1 &
    pid=$!; sleep 3; renice -n -15 -p $pid > /dev/null 2>&1; wait $pid
    echo "== $label end $(date -u +%FT%TZ) rc $? load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/kern/clog.txt
  done
done
