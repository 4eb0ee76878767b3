import re,glob,statistics as st
med={'base':{},'pool':{}}; ratio={}
for f in sorted(glob.glob('logs-alc/proc*.log')):
    txt=open(f).read(); a,b=re.search(r'A=bin-(\w+) B=bin-(\w+)',txt).groups()
    for m in re.finditer(r'^\| (\d+) \| ([\d,]+) \(.*?\) \| ([\d,]+) \(.*?\) \| [\d.]+ \| ([\d.]+) \|',txt,re.M):
        ef=int(m[1]); qa=float(m[2].replace(',','')); qb=float(m[3].replace(',','')); r=float(m[4])
        med[a].setdefault(ef,[]).append(qa); med[b].setdefault(ef,[]).append(qb)
        ratio.setdefault(ef,[]).append(r if b=='pool' else 1/r)
print('| ef | base median QPS (6 procs) | pool median QPS (6 procs) | pool/base of medians | median of per-process paired pool/base (range) |')
print('|---:|---:|---:|---:|---:|')
for ef in sorted(ratio):
    x=st.median(med['base'][ef]); y=st.median(med['pool'][ef])
    print(f'| {ef} | {x:,.0f} | {y:,.0f} | {y/x:.3f} | {st.median(ratio[ef]):.3f} ({min(ratio[ef]):.3f}-{max(ratio[ef]):.3f}) |')
