for tree in main base; do
  if [ $tree = main ]; then d=/work/scratch/cats; else d=/work/scratch/cats-base; fi
  cd $d
  echo "== $tree $(date -u +%H:%M:%S) $(uptime)"
  dotnet build cats.cs -c Release > build.log 2>&1 || echo build failed
  taskset -c 1 nice -n -15 dotnet run -c Release --no-build cats.cs /work/data/c1m-mlp 2>&1 | grep -v warning
done
echo finished
