#:project ../../../src/RecSys.Engine.Core/RecSys.Engine.Core.csproj
#:property PublishAot=false
using System.Diagnostics;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Synthetic;
// How IVF-PQ answers filters that follow the embedding space (category = cluster centre mod 16), against exact, with
// FilteredProbeScale 1 (nprobe lists whatever they hold: the rule before) and the default (32), both built in this process
// with the same options and seed, each with an untimed pass over every case first. args: n, k, nprobe.
int n = int.Parse(args[0]); int nq = 200; int k = int.Parse(args.Length > 1 ? args[1] : "10"); int np = int.Parse(args.Length > 2 ? args[2] : "8");
const int Dim = 96;
var gen = new SyntheticVectorGenerator(Dim, 42);
var rows = new float[(long)n * Dim]; var cat = new byte[n];
var st = gen.CreateBaseStream();
for (int i = 0; i < n; i++) cat[i] = (byte)(st.Next(rows.AsSpan(i * Dim, Dim)) % 16);
var queries = new float[nq * Dim]; var qcat = new int[nq];
var qs = gen.CreateQueryStream();
for (int i = 0; i < nq; i++) qcat[i] = qs.Next(queries.AsSpan(i * Dim, Dim)) % 16;
var ids = new long[n]; for (int i = 0; i < n; i++) ids[i] = i;
RecSys.Engine.Core.Index.IvfPq.IvfPqIndex Build(int scale)
{
    var sw = Stopwatch.StartNew();
    var ivf = new RecSys.Engine.Core.Index.IvfPq.IvfPqIndex(Dim, DistanceMetric.Cosine, new RecSys.Engine.Core.Index.IvfPq.IvfPqOptions { NList = 1024, M = 24, DefaultNProbe = np, DefaultRefine = 100, FilteredProbeScale = scale });
    ivf.Train(rows.AsSpan(0, Math.Min(n, 65536) * Dim));
    ivf.Add(ids, rows);
    Console.WriteLine($"IVF1024,PQ24,R100,np{np}, FilteredProbeScale {scale}, over {n}: built in {sw.Elapsed.TotalSeconds:F1} s; load {File.ReadAllText("/proc/loadavg").Trim()}");
    return ivf;
}
using var flat = new FlatIndex(Dim, DistanceMetric.Cosine); flat.Add(ids, rows);
foreach (int scale in new[] { 1, 32 })
{
using var ivf = Build(scale);
var cases = new[] { ("corr1", 1, 1), ("corr4", 1, 4), ("corr8", 1, 8), ("corr12", 1, 12), ("corr4in", 0, 4), ("rand25", -1, 0), ("none", -2, 0) };
// Every case once untimed first (JIT), then the timed pass.
for (int pass = 0; pass < 2; pass++)
foreach (var (name, first, count) in cases)
{
    double hits = 0, returned = 0; var times = new List<double>();
    var o = new long[k]; var d = new float[k]; var e = new long[k]; var ed = new float[k];
    for (int q = 0; q < nq; q++)
    {
        int mask = 0; for (int i = 0; i < count; i++) mask |= 1 << ((qcat[q] + first + i) % 16);
        IdFilter? f = first == -2 ? null : first == -1 ? new PredicateFilter(id => ((ulong)id * 0x9E3779B97F4A7C15UL) >> 62 == 0) : new PredicateFilter(id => ((mask >> cat[id]) & 1) != 0);
        var query = queries.AsSpan(q * Dim, Dim);
        flat.Search(query, k, e, ed, new SearchParameters { Filter = f });
        var t0 = Stopwatch.StartNew();
        ivf.Search(query, k, o, d, new SearchParameters { Filter = f, MaxDegreeOfParallelism = 1 });
        times.Add(t0.Elapsed.TotalMilliseconds);
        returned += o.Count(x => x >= 0); hits += o.Count(x => x >= 0 && Array.IndexOf(e, x) >= 0);
    }
    times.Sort();
    if (pass == 0) continue;
    Console.WriteLine($"scale {scale} | {name}: recall@{k} {hits / (nq * k):F4}, results returned {returned / nq:F1} of {k}, p50 {times[nq / 2]:F3} ms, p99 {times[nq * 99 / 100]:F3} ms");
}
}
