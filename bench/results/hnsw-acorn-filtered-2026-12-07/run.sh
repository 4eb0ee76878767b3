#!/bin/bash
cd /tmp/acorn
C=corr4,corr4-bits,corr1,corr2,corr8,corr4in,rand25,none
echo "== base (main 387b056 + harness) $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet base/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 500 64 walk@64,walk@128 $C 2>&1
echo "== new (2d86cd3 + harness 3ecf9e6) $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet new/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 500 64 walk@64,acorn@64,acorn@128,acorn@256 $C 2>&1
for i in 1 2; do
echo "== none base $i $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet base/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 1000 64 walk@64,walk@128 none 2>&1 | grep "^| none"
echo "== none new $i $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet new/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 1000 64 walk@64,walk@128 none 2>&1 | grep "^| none"
done
echo "finished $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
