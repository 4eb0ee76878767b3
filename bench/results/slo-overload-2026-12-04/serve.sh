#!/bin/bash
# serve.sh BUILD(before|after) CATALOG(c100k|c1m): start the server, wait until it listens
B=$1; C=$2
cd /tmp/shed15
nohup nice -n -15 dotnet /tmp/shed15/$B/cli/recsys.dll serve --config /tmp/shed15/$C/serve.json > /tmp/shed15/server-$B-$C.log 2>&1 &
echo $! > /tmp/shed15/server.pid
for i in $(seq 1 900); do grep -q "listening" /tmp/shed15/server-$B-$C.log && break; sleep 1; done
echo "started in ${i}s pid $(cat /tmp/shed15/server.pid)"; grep listening /tmp/shed15/server-$B-$C.log | tail -1
