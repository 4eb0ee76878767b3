#!/bin/bash
# In-process Recommend on the 1M catalog, one core (taskset -c 1), sources in turn: float32 against bf16 HNSW walks,
# 3 interleaved pairs, 5,000 measured requests after 2,000 warm-up each (`recsys bench pipeline`).
O=/work/runs/inproc; mkdir -p $O
for r in ${RUNS:-1 2 3}; do for v in f32 bf16; do
  B=false; [ $v = bf16 ] && B=true
  { date -u +"%F %T UTC"; uptime; } > $O/$v-$r.txt
  taskset -c 1 dotnet /work/bin-bf16/recsys.dll bench pipeline --data /tmp/gen1m/c1m --requests 5000 --warmup 2000 --hnsw-bf16 $B --json $O/$v-$r.json >> $O/$v-$r.txt 2>&1
  echo "$v-$r $(tail -1 $O/$v-$r.txt) sources p50 $(python3 -c "import json;d=json.load(open('$O/$v-$r.json'));print(d['stage_us']['sources']['p50'], 'p99', d['stage_us']['sources']['p99'], 'bf16', d['hnsw_bf16'])")"
done; done
