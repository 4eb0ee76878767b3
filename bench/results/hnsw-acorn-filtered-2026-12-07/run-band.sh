#!/bin/bash
cd /tmp/acorn
echo "== new: the band's upper edge $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
taskset -c 1 dotnet new3/RecSys.Engine.Benchmarks.dll hnsw-filtered 1000000 500 64 walk@64,acorn@64,acorn-m0.6@64,acorn-m0.8@64 corr8-bits,corr12-bits,corr12,rand50-bits,corr4in 2>&1 | grep "^|\|load"
echo "finished $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
