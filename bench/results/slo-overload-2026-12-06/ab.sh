#!/bin/bash
# Inline socket transport (Server:InlineTransport) against the shipped pool-scheduled transport, at 500, 2,500 and
# 5,000 req/s (2x the sustained rate). Variants: S = shipped config; I = InlineTransport true;
# C = InlineTransport true + DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 (the runtime's socket completions inline too).
O=/work/runs/inline; C=${CAT:-/tmp/gen1m/c1mx}; CLI=${CLI:-/work/bin-exp}
APP=$(jq -r '.Server.Auth.Keys[0].Key' $C/serve.json)
LT="nice -n -15 dotnet $CLI/recsys.dll bench load --target 127.0.0.1:50051 --api-key $APP"
kd=$(pgrep -x kdamond | head -1)
for V in "$@"; do
  ENVX=""
  case $V in S*) CFG=$C/serve.json;; I*) CFG=$C/serve-inline.json;; C*) CFG=$C/serve-inline.json; ENVX="DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1";; esac
  echo "$V $CFG $ENVX damon $(cat /sys/kernel/mm/damon/admin/kdamonds/0/state) $(date -u +%T) $(uptime | grep -oE 'average: .*')"
  env $ENVX nice -n -15 dotnet $CLI/recsys.dll serve --config $CFG > $O/server-$V.log 2>&1 &
  SP=$!
  for i in $(seq 1 1200); do grep -q "recsys serve: listening" $O/server-$V.log && break; sleep 0.5; done
  run() { N=$V-$1; shift; { date -u +"%F %T UTC"; uptime; } > $O/$N.txt; k0=$(awk '{print $1}' /proc/$kd/schedstat)
    $LT --json $O/$N.json "$@" >> $O/$N.txt 2>&1; k1=$(awk '{print $1}' /proc/$kd/schedstat)
    echo "$N $(date -u +%T) $(jq -r '[.requests,.ok,(.errors|tostring),.p50_ms,.p99_ms,.service_p99_ms,.max_ms]|@tsv' $O/$N.json) kdamond $(( (k1-k0)/1000000 ))ms"; }
  run warm --scenario hnsw-1m --rate 200 --duration 15s --warmup 2s
  run h500a --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  run h2500 --scenario hnsw-1m --rate 2500 --duration 10s --warmup 2s
  run x5000a --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s
  run x5000b --scenario hnsw-1m-overload --rate 5000 --duration 10s --warmup 2s
  run h500b --scenario hnsw-1m --rate 500 --duration 10s --warmup 2s
  kill -TERM $SP; wait $SP; sync; sleep 3
done
