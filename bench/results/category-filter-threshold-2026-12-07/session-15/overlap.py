import sys, collections
def load(p):
    d = {}
    for line in open(p):
        name, user, ids = line.rstrip('\n').split('\t')
        d.setdefault(name, []).append((user, ids.split(',') if ids else []))
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
for name in a:
    ov = same = n = 0
    for (ua, ia), (ub, ib) in zip(a[name], b[name]):
        assert ua == ub
        if not ia: continue
        ov += len(set(ia) & set(ib)) / len(ia); same += ia == ib; n += 1
    print(f"{name}: overlap@10 {ov / n:.3f}, identical {same} of {n}")
