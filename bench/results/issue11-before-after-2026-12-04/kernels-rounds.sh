#!/bin/bash
# Short interleaved kernel runs: each round = before/after on both rungs, ABBA order across rounds.
F=(); for d in 96 128 768; do F+=("*DistanceKernelBenchmarks.*Ours*(Dim: $d)" "*DistanceKernelBenchmarks.*TensorPrimitives*(Dim: $d)"); done
first=$1; last=$2
for ((r=first; r<=last; r++)); do
  if (( r % 2 )); then seq="before:512 after:512 before:256 after:256"; else seq="after:256 before:256 after:512 before:512"; fi
  for spec in $seq; do
    tree=${spec%%:*}; rung=${spec##*:}; label=s$r-$tree-v$rung
    cd /var/tmp/bdn/cwd; B=/work/$tree/bench/RecSys.Engine.Benchmarks
    envs=(DOTNET_TieredCompilation=0); [ "$rung" = 256 ] && envs+=(DOTNET_EnableAVX512=0)
    echo "== $label start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/kern/slog.txt
    env "${envs[@]}" nice -n -15 dotnet $B/bin/Release/net10.0/RecSys.Engine.Benchmarks.dll --inProcess --launchCount 1 \
      --warmupCount 3 --iterationCount 7 --iterationTime 200 --filter "${F[@]}" --artifacts /tmp/kern/art-$label > /tmp/kern/$label.txt 2>&1
    echo "== $label end $(date -u +%FT%TZ) rc $? load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/kern/slog.txt
  done
done
