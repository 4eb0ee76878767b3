#!/bin/bash
# Which server threads are switched out involuntarily (sched_yield counts as involuntary) while it answers 50 req/s.
O=/work/runs/steal; CLI=/work/bin-new2
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/serve.json > $O/server2.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server2.log && break; sleep 0.5; done
SPID=$(pgrep -f "recsys.dll serve" | head -1)
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
$LT --rate 200 --duration 10s --warmup 0s > /dev/null 2>&1
snap() { for t in /proc/$SPID/task/*; do echo "$(basename $t) $(cat $t/comm | tr ' ' '_') $(awk '/^nonvoluntary/{print $2}' $t/status) $(awk '{print $14+$15}' $t/stat)"; done; }
snap > $O/t0.txt
$LT --rate 50 --duration 10s --warmup 0s > /dev/null 2>&1
snap > $O/t1.txt
sleep 5; snap > $O/t2.txt
kill -TERM $SP; wait $SP
python3 - <<'PY'
def rd(f): return {l.split()[0]:(l.split()[1],int(l.split()[2]),int(l.split()[3])) for l in open(f)}
a,b,c=rd('/work/runs/steal/t0.txt'),rd('/work/runs/steal/t1.txt'),rd('/work/runs/steal/t2.txt')
rows=[(b[k][1]-a[k][1], b[k][2]-a[k][2], c[k][1]-b[k][1] if k in c else -1, b[k][0]) for k in b if k in a]
rows.sort(reverse=True)
print('nonvol in 10 s at 50 req/s | cpu ticks | nonvol in next 5 s idle | thread')
for r in rows[:12]: print(r)
PY
