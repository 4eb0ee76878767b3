for tree in base main; do
  cd /work/$tree/bench/results/filtered-1m-2026-12-07
  echo "== $tree $(git -C /work/$tree rev-parse --short HEAD) $(date -u +%H:%M:%S) $(uptime)"
  dotnet build filtered.cs -c Release > /work/scratch/filt-build-$tree.log 2>&1 || echo build failed
  taskset -c 1 nice -n -15 dotnet run -c Release --no-build filtered.cs /work/data/c1m-mlp 2>&1 | tail -5
done
echo finished
