import re,glob,statistics as st
def runval(f):
    d={}
    for line in open(f):
        m=re.match(r'\| (\d+) \| ([\d,]+) \(.*?\) \| ([\d,]+) \(',line)
        if m: d[int(m[1])]=(float(m[2].replace(',',''))+float(m[3].replace(',','')))/2
    return d
print('| ef | median pool/base over 15 adjacent (same round) run pairs | range | pool faster |')
print('|---:|---:|---:|---:|')
rs={}
for s in ('logs','logs2','logs3'):
    for i in range(1,6):
        b=runval(f'{s}/run{i}-base.log'); p=runval(f'{s}/run{i}-pool.log')
        for ef in b: rs.setdefault(ef,[]).append(p[ef]/b[ef])
for ef in sorted(rs):
    r=rs[ef]; print(f'| {ef} | {st.median(r):.3f} | {min(r):.2f}-{max(r):.2f} | {sum(x>1 for x in r)}/{len(r)} |')
