import json, glob, os
# One row per measured events run: all calls and each kind.
rows = []
# "errors" counts every failed call (refused with RESOURCE_EXHAUSTED, and deadline-exceeded ones).
for f in sorted(glob.glob('*-events.json')):
    d = json.load(open(f))
    name = f[:-len('-events.json')]
    k = d['by_kind']
    def kp(kind, key):
        for e in (k if isinstance(k, list) else [dict(kind=n, **v) for n, v in k.items()]):
            if e.get('kind') == kind:
                return e.get(key)
        return None
    refused = sum(v for e, v in (d['errors'].items() if isinstance(d['errors'], dict) else []) )
    rows.append((name, d['ok'], refused, d['p50_ms'], d['p99_ms'], d['p999_ms'], d['max_ms'], kp('Recommend', 'p99_ms'), kp('Recommend', 'max_ms'), kp('RecordEvents', 'p99_ms'), d.get('degraded')))
print('| run | ok | refused | p50 ms | p99 ms | p99.9 ms | max ms | Recommend p99 | Recommend max | RecordEvents p99 | degraded |')
print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for r in rows:
    print('| ' + ' | '.join(str(x) if not isinstance(x, float) else f'{x:.1f}' for x in r) + ' |')
