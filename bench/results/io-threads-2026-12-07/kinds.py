# Per-call-kind figures of each block's 3-minute events run (the load generator's by_kind), in the order the blocks ran.
import json, glob, sys, os, statistics
os.chdir(sys.argv[1] if len(sys.argv) > 1 else '.')
print('| block | Recommend refused | Recommend p99 ms | RecordEvents refused | RecordEvents p50 ms | RecordEvents p99 ms | RecordEvents max ms | UpsertItems p99 ms |')
print('|---|---:|---:|---:|---:|---:|---:|---:|')
for f in sorted(glob.glob('*-events.json'), key=lambda f: open(f[:-5] + '.txt').readline()):
    k = json.load(open(f))['by_kind']; r, e, u = k['Recommend'], k['RecordEvents'], k['UpsertItems']
    print('| %s | %d | %.1f | %d | %.1f | %.1f | %.1f | %.1f |' % (f[:-len('-events.json')], r['failed'], r['p99_ms'], e['failed'], e['p50_ms'], e['p99_ms'], e['max_ms'], u['p99_ms']))
