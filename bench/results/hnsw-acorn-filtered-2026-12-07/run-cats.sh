#!/bin/bash
for tree in base new; do
  cd /tmp/acorn/cats-$tree
  echo "== $tree $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
  dotnet build cats.cs -c Release > build.log 2>&1 || echo build failed
  data=/tmp/acorn/c1m; [ $tree = base ] && data=/tmp/acorn/c1m-b
  echo "built $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
  taskset -c 1 dotnet run -c Release --no-build cats.cs $data 2>&1 | grep -v warning
done
echo "finished $(date -u +%H:%M:%S) $(cat /proc/loadavg)"
