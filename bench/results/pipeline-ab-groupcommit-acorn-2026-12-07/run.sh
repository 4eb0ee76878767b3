# bench pipeline A/B at 1M: 387b056 (bin-b387, catalog c1m-mlp) against HEAD (bin-head, copy c1m-mlp-new), alternating
mkdir -p /work/scratch/ab2 && cd /work/scratch/ab2 && rm -f done.txt
for round in 4 5 6; do
  for v in b387 head; do
    if [ $v = b387 ]; then data=/work/data/c1m-mlp; else data=/work/data/c1m-mlp-new; fi
    f=$v-run$round
    uptime > $f.txt
    taskset -c 1 nice -n -15 dotnet /work/bin-$v/recsys.dll bench pipeline --data $data --requests 10000 --warmup 2000 --settle-jit-seconds 60 --json $f.json >> $f.txt 2>&1
  done
done
echo finished > done.txt
