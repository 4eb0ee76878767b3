#!/bin/bash
# round.sh BUILD TAG N RATE PREFIX: start BUILD's server (before = main, after = this branch) on the 1M catalog, warm it
# (100 then 300 req/s, 10 s each, not counted), then N x (overload at RATE for 10 s + 2 s warm-up, then 300 req/s for
# 10 s: the recovery), with dotnet-counters on the server during each overload run; then stop it.
# The runs here: PREFIX ovl (RATE 1500) for rounds r1-r3 and ovl600 (RATE 600) for r4-r5; recovery files are rec / rec600.
B=$1; TAG=$2; N=$3; RATE=$4; P=$5; C=c1m
REC=${P/ovl/rec}
cd /tmp/shed15
S=$(date +%s); ./serve.sh $B $C; echo "$B start took $(( $(date +%s)-S ))s"
for W in 100 300; do ./load.sh before $C warm-$B-$TAG-$W --scenario hnsw-1m --rate $W --duration 10s --warmup 2s | sed -n 4,5p; done
for i in $(seq 1 $N); do
  (timeout 30 dotnet-counters collect -p $(cat server.pid) --counters "System.Runtime,RecSys.Engine.Server,Microsoft.AspNetCore.Server.Kestrel" \
     --refresh-interval 1 --format csv -o results/${P/ovl/ctr}-$B-$TAG-$i.csv > /dev/null 2>&1 &)
  ./load.sh before $C $P-$B-$TAG-$i --scenario hnsw-1m-overload --rate $RATE --duration 10s --warmup 2s | sed -n 2,6p
  ./load.sh before $C $REC-$B-$TAG-$i --scenario hnsw-1m --rate 300 --duration 10s --warmup 0 --slo-ms 100,10 | sed -n 4,6p
done
curl -s 127.0.0.1:9464/metrics | grep -E "^recsys_admission|^recsys_pipeline_degraded" > results/metrics-$B-$TAG.txt
kill $(cat server.pid); for i in $(seq 1 120); do kill -0 $(cat server.pid) 2>/dev/null || break; sleep 1; done
