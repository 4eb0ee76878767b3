#!/bin/bash
# Flat scan A/B (FlatScanBenchmarks: kernel-only scan and the whole exact top-10 search, 1M x 96, one thread), V512 rung.
F=('*FlatScanBenchmarks.ScanScores_1Mx96' '*FlatScanBenchmarks.FlatSearchTop10_1Mx96')
for ((r=1; r<=$1; r++)); do
  if (( r % 2 )); then seq="before after"; else seq="after before"; fi
  for tree in $seq; do
    label=f$r-$tree; cd /var/tmp/bdn/cwd; B=/work/$tree/bench/RecSys.Engine.Benchmarks
    echo "== $label start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/kern/flog.txt
    DOTNET_TieredCompilation=0 nice -n -15 dotnet $B/bin/Release/net10.0/RecSys.Engine.Benchmarks.dll --inProcess --launchCount 1 \
      --warmupCount 3 --iterationCount 9 --iterationTime 250 --filter "${F[@]}" --artifacts /tmp/kern/art-$label > /tmp/kern/$label.txt 2>&1
    echo "== $label end $(date -u +%FT%TZ) rc $? load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/kern/flog.txt
  done
done
