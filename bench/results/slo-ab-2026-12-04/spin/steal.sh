#!/bin/bash
# Steal time and involuntary context switches while the server answers 50 req/s.
O=/work/runs/steal; mkdir -p $O; CLI=/work/bin-new2
APP=$(python3 -c "import json;print(json.load(open('/tmp/gen1m/c1m/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
nice -n -15 dotnet $CLI/recsys.dll serve --config /tmp/gen1m/c1m/serve.json > $O/server.log 2>&1 &
SP=$!
for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server.log && break; sleep 0.5; done
SPID=$(pgrep -f "recsys.dll serve" | head -1)
LT="nice -n -15 dotnet /tmp/gen1m/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --scenario hnsw-1m"
$LT --rate 200 --duration 15s --warmup 0s > /dev/null 2>&1
cs() { grep -h "ctxt_switches" /proc/$SPID/task/*/status | awk '/nonvoluntary/{n+=$2} /^voluntary/{v+=$2} END{print "voluntary", v, "nonvoluntary", n}'; }
st() { head -1 /proc/stat; }
for r in 50 500; do
  a=$(st); c0=$(cs)
  $LT --rate $r --duration 20s --warmup 0s > $O/load-$r.txt 2>&1
  b=$(st); c1=$(cs)
  python3 -c "
a=list(map(int,'$a'.split()[1:])); b=list(map(int,'$b'.split()[1:])); d=[y-x for x,y in zip(a,b)]; t=sum(d)
print('$r req/s: cpu user %.1f%% system %.1f%% idle %.1f%% iowait %.1f%% steal %.2f%%' % (100*(d[0]+d[1])/t, 100*d[2]/t, 100*d[3]/t, 100*d[4]/t, 100*d[7]/t))"
  echo "  server threads ctx switches before: $c0 / after: $c1"
  echo "  $(grep -oE 'p50 [0-9.]+|p99 [0-9.]+' $O/load-$r.txt | tr '\n' ' ')"
done
kill -TERM $SP; wait $SP
