import csv,sys,glob,json,os
for f in sorted(glob.glob(sys.argv[1]+'/*.counters.csv')):
    rows=list(csv.reader(open(f)))[1:]
    m=0; t=0.0; first5=0; ts=[]
    gc=0; gcp=0.0; tpmax=0; qmax=0
    for r in rows:
        n=r[2]
        if n.startswith('dotnet.jit.compiled_methods'):
            m+=float(r[4]); ts.append(r[0])
            if len(ts)<=6: first5+=float(r[4])
        elif n.startswith('dotnet.jit.compilation.time'): t+=float(r[4])
        elif n.startswith('dotnet.gc.pause.time'): gcp+=float(r[4])
        elif n.startswith('dotnet.thread_pool.thread.count'): tpmax=max(tpmax,float(r[4]))
        elif n.startswith('dotnet.thread_pool.queue.length'): qmax=max(qmax,float(r[4]))
    j=f.replace('.counters.csv','.json')
    d=json.load(open(j)) if os.path.exists(j) else {}
    print(os.path.basename(f).replace('.counters.csv',''), f"jit_methods={m:.0f} first6s={first5:.0f} jit_s={t:.2f} gc_pause_s={gcp:.3f} tp_threads_max={tpmax:.0f} queue_max={qmax:.0f} p50={d.get('p50_ms')} p99={d.get('p99_ms')} max={d.get('max_ms')} err={d.get('errors')}")
