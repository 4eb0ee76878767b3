# bench pipeline A/B at 1M: eb86a63 (bin-base, catalog copy c1m-mlp) against 7ccad66 (bin-new, copy c1m-mlp-new), alternating
mkdir -p /work/scratch/ab && cd /work/scratch/ab
for round in 1 2 3; do
  for v in base new; do
    if [ $v = base ]; then data=/work/data/c1m-mlp; else data=/work/data/c1m-mlp-new; fi
    f=$v-run$round
    uptime > $f.txt
    taskset -c 1 nice -n -15 dotnet /work/bin-$v/recsys.dll bench pipeline --data $data --requests 10000 --warmup 2000 --settle-jit-seconds 60 --json $f.json >> $f.txt 2>&1
  done
done
echo finished > done.txt
