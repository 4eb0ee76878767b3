#!/bin/bash
# threadcpu.sh OUT: per-thread CPU of the running recsys server over 60 s, 60 s into the events run
sleep 95
PID=$(pgrep -f "recsys.dll serve" | head -1)
snap() { for t in /proc/$PID/task/*; do echo "$(cat $t/comm 2>/dev/null | tr ' ' '_') $(sed 's/.*) //' $t/stat 2>/dev/null | awk '{print $12+$13}') $(basename $t)"; done; }
snap > /tmp/s1; sleep 60; snap > /tmp/s2
python3 - "$1" <<'PY'
import sys
a={l.split()[2]:(l.split()[0],int(l.split()[1])) for l in open('/tmp/s1') if len(l.split())==3}
b={l.split()[2]:(l.split()[0],int(l.split()[1])) for l in open('/tmp/s2') if len(l.split())==3}
agg={}
for t,(n,v) in b.items():
    if t in a: agg[n]=agg.get(n,0)+v-a[t][1]
tot=sum(agg.values())
with open(sys.argv[1],'w') as f:
    f.write('thread name (15 chars), CPU % of one core over 60 s (clock ticks/100/60), share of the process\n')
    for n,v in sorted(agg.items(),key=lambda x:-x[1])[:25]: f.write('%-20s %6.1f%% %5.1f%%\n'%(n,v/60.0,100.0*v/max(tot,1)))
PY
