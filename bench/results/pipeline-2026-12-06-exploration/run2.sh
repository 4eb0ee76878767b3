cd /work/runs/pbench
for i in 4 5; do
  for b in new base; do
    { echo "# $(date -u +%FT%TZ) $b run $i uptime: $(uptime)"; taskset -c 1 dotnet /work/bin-$b/recsys.dll bench pipeline --data /tmp/gen1m/c1mx --requests 10000 --warmup 2000 --json $b-$i.json; echo "# end $(date -u +%FT%TZ) uptime: $(uptime)"; } > $b-$i.txt 2>&1
  done
done
echo done > done2
