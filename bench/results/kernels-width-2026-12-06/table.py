import re,sys
widths=['v512','v256','v128']
data={}
for w in widths:
    try: lines=open(f'{w}.summary.txt').read().splitlines()
    except: continue
    start=[i for i,l in enumerate(lines) if l.startswith('| Method')]
    if not start: continue
    for l in lines[start[-1]+2:]:
        if not l.startswith('|'): break
        c=[x.strip() for x in l.strip('|').split('|')]
        if not c[0]: continue
        data[(c[0],int(c[1]),w)]=(float(c[2].split()[0].replace(',','')), c[3].split()[0])
meths=['Dot_Ours','Dot_OursBFloat16Row','L2_Ours','L2_OursBFloat16Row','Dot_TensorPrimitives']
print('| dim | kernel | '+' | '.join(f'{w} mean ns (error)' for w in widths)+' | V256 / V512 | V128 / V512 |')
print('|---:|---|'+'---:|'*(len(widths)+2))
for dim in (64,96,100,128,256,768):
    for m in meths:
        vals=[data.get((m,dim,w)) for w in widths]
        cells=[f'{v[0]:.2f} ({v[1]})' if v else '-' for v in vals]
        r=[f'{vals[i][0]/vals[0][0]:.2f}' if vals[i] and vals[0] else '-' for i in (1,2)]
        print(f'| {dim} | {m} | '+' | '.join(cells)+' | '+' | '.join(r)+' |')
