#!/bin/bash
# alternating: base one-by-one (387b056), new one-by-one, new batches
D=/work/data/c1m-ups
cd /work/base/bench/results/upsert-journal-cost-2026-12-07 && dotnet build -c Release ups.cs > /work/scratch/gc-build-base.log 2>&1
# ups.cs: the run built a byte-identical copy of ../upsert-journal-cost-2026-12-07/ups.cs here (not kept)
cd /work/main/bench/results/upsert-group-commit-2026-12-07 && dotnet build -c Release ups.cs > /work/scratch/gc-build-new.log 2>&1 && dotnet build -c Release batch.cs >> /work/scratch/gc-build-new.log 2>&1
for r in 1 2 3 4 5; do
  off=$((50000000 + r * 1000000))
  cd /work/base/bench/results/upsert-journal-cost-2026-12-07 && echo "run $r base: $(taskset -c 1 nice -n -15 dotnet run -c Release --no-build ups.cs $D $off 2>&1 | tail -1)"
  cd /work/main/bench/results/upsert-group-commit-2026-12-07 && echo "run $r new-single: $(taskset -c 1 nice -n -15 dotnet run -c Release --no-build ups.cs $D $((off+500000)) 2>&1 | tail -1)"
  echo "run $r new-batch: $(taskset -c 1 nice -n -15 dotnet run -c Release --no-build batch.cs $D $((off+700000)) 2>&1 | tail -1)"
done
echo done
