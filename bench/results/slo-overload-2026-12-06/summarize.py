import json, glob, os, re, sys, statistics as st
# One row per run in the logs given: variant, run, ok, refused, p50, p99, service p99, max (from the logs' TSV columns).
for log in sys.argv[1:]:
    for line in open(log):
        m = re.match(r'^(\S+)-(\S+) \S+ (\d+)\t(\d+)\t(\{.*?\})\t([\d.]+)\t([\d.]+)\t([\d.]+)\t([\d.]+)(.*)$', line)
        if not m: continue
        v, r, req, ok, err, p50, p99, svc, mx, rest = m.groups()
        refused = json.loads(err).get('ResourceExhausted', 0)
        d = re.search(r'degraded (-?\d+)', rest)
        print(f"{os.path.basename(log)}\t{v}\t{r}\t{ok}\t{refused}\t{p50}\t{p99}\t{svc}\t{mx}\t{d.group(1) if d else ''}")
