import json, glob, os, re, sys
d0 = sys.argv[1] if len(sys.argv) > 1 else '.'
os.chdir(d0)
print('| block | warm refused | warm p99 ms | events ok | events refused | p50 ms | p99 ms | p99.9 ms | max ms | checkpoints: ms in FASTER (longest phase) |')
print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|')
# in the order the blocks ran: the UTC time on the first line of each events run's .txt
for f in sorted(glob.glob('*-events.json'), key=lambda f: open(f[:-5] + '.txt').readline()):
    n = f[:-len('-events.json')]
    e = json.load(open(f)); w = json.load(open(n + '-warm.json'))
    ref = lambda d: sum(d['errors'].values()) if isinstance(d['errors'], dict) else d['errors']
    cps = []
    for line in open('server-%s.log' % n):
        m = re.search(r'of log since the previous one, (\d+) ms \((\d+) ms in FASTER: (.*)\)', line)
        if not m: continue
        parts = [p.strip() for p in m.group(3).split(',')]
        ph = []
        for p in parts:
            mm = re.match(r'([A-Za-z_ 0-9]+?) (\d+)$', p)
            if mm and not p.startswith('first'): ph.append((int(mm.group(2)), mm.group(1)))
        top = max(ph) if ph else (0, '-')
        name = {'18': 'leaving WAIT_FLUSH', '20': 'leaving REST', '19': 'leaving PERSISTENCE_CALLBACK', 'INTERMEDIATE': 'leaving IN_PROGRESS', '23': 'leaving PREPARE'}.get(top[1], top[1])
        cps.append('%s (%s %d)' % (m.group(2), name, top[0]))
    print('| %s | %d | %.1f | %d | %d | %.1f | %.1f | %.1f | %.1f | %s |' % (n, ref(w), w['p99_ms'], e['ok'], ref(e), e['p50_ms'], e['p99_ms'], e['p999_ms'], e['max_ms'], '; '.join(cps[:-1])))
