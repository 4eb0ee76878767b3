#!/bin/bash
cd /tmp/acorn
echo "== new: corr8 at the band's edge $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet new2/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 500 64 walk@64,acorn@64,acorn-m0.6@64,acorn-m0.6@128 corr8,corr8-bits 2>&1 | grep "^|\|load"
for i in 1 2 3; do
echo "== none base $i $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet base2/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 2000 64 walk@64,walk@128 none 2>&1 | grep "^| none"
echo "== none new $i $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet new2/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 2000 64 walk@64,walk@128 none 2>&1 | grep "^| none"
done
echo "finished $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
