# include-category Recommend at 1M: main (member lists up to 13% of the index) against exp (up to 3%: 1-2 categories go to HNSW's admitted-only walk), alternating
D=/work/data/c1m-mlp
for r in 1 2; do
  for v in main exp; do
    cd /work/scratch/cats2/$v && echo "== $v run $r" && taskset -c 1 nice -n -15 dotnet run -c Release --no-build cats2.cs $D /work/scratch/cats2/$v-ids-$r.tsv 2>&1 | grep -v warning
  done
done
echo done
