#!/bin/bash
# load.sh BUILD CATALOG NAME flags... : one load run against the server on :50051; JSON + text into /tmp/shed15/results
B=$1; C=$2; NAME=$3; shift 3
O=/tmp/shed15/results; mkdir -p $O
APP=$(python3 -c "import json;print(json.load(open('/tmp/shed15/$C/serve.json'))['Server']['Auth']['Keys'][0]['Key'])")
{ date -u +"%F %T UTC"; uptime; } > $O/$NAME.txt
nice -n -15 dotnet /tmp/shed15/$B/loadtest/RecSys.Engine.LoadTest.dll --target 127.0.0.1:50051 --api-key $APP --json $O/$NAME.json "$@" >> $O/$NAME.txt 2>&1
tail -n 12 $O/$NAME.txt
