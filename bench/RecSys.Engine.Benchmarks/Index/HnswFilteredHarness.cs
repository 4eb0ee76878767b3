using System.Diagnostics;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Synthetic;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// `hnsw-filtered [n] [queries] [ef] [variant,...] [case,...] [k]`: filtered HNSW search on data whose categories follow the
/// embedding space, each variant against exact filtered search (<see cref="FlatIndex"/> with the same filter).
/// <para>
/// Data: the SYNTHETIC.md recipe (seed 42, 96 dims, cosine), n base rows (default 1M) and the query rows; each row's
/// category is its cluster centre mod 16, as the generated catalog names it (<c>SyntheticCatalog</c>), so a category is
/// 16 of the 256 clusters. The graph (M 16, efC 200, breadth-first order as a bulk build serves it) is built once and
/// cached in /tmp/hnsw-filtered-graph-N; every variant is a load of it with its search options.
/// </para>
/// <para>
/// Cases (the query's own category is c): <c>corr1</c>, <c>corr2</c>, <c>corr4</c>, <c>corr8</c>, <c>corr12</c> admit
/// the 1, 2, 4, 8 or 12 categories after c (not c: the query sits in a region the filter leaves out); <c>corr4in</c>
/// admits c and the 3 after it; <c>rand25</c> and <c>rand50</c> admit a hashed 25% or 50% of the ids (no correlation). Filters are the request path's kind (an
/// <see cref="IdFilter"/> subclass, one virtual call per test: category of the id, then a mask), or with a <c>-bits</c>
/// suffix an <see cref="AllowBitset"/>; <c>none</c> searches without a filter (the unfiltered path, for regressions).
/// </para>
/// <para>
/// Variants: <c>walk</c> = the traverse-everything walk (AdmittedWalkMaxFraction 0, the path before 2026-12-07),
/// <c>acorn</c> = the defaults, <c>acorn1</c> = the rule before the probe and the beam scale (every filter in the band by the
/// admitted-only walk at the search's ef), <c>acorn-noprobe</c> = the defaults without the neighbourhood probe, <c>acorn-sF</c> =
/// the admitted-only walk's beam at F x ef, <c>acorn-tN</c> = the admitted-only walk reading two hops only below N admitted neighbours, <c>acorn-uN</c> = with a
/// level-1 beam of N (1 = greedy), <c>acorn-mF</c> = the band up to F (AdmittedWalkMaxFraction); any of them with @EF searches with that ef instead of the ef argument.
/// One thread, k 10 unless given (the pipeline's collaborative source asks for 200); per case a warm-up (twice 100 queries per variant, 0.5 s apart), then two rounds of every variant over all queries,
/// each query timed alone; prints p50 / p99 / mean per round and recall@k against the exact filtered top k.
/// </para>
/// </summary>
internal static class HnswFilteredHarness
{
    private const int Dim = 96;
    private const int Categories = 16;

    public static int Run(string[] args)
    {
        int n = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
        int nq = args.Length > 1 ? int.Parse(args[1]) : 500;
        int ef = args.Length > 2 ? int.Parse(args[2]) : 64;
        string[] variants = args.Length > 3 ? args[3].Split(',') : ["walk", "acorn"];
        string[] cases = args.Length > 4 ? args[4].Split(',') : ["corr4", "corr4-bits", "corr1", "corr2", "corr8", "corr4in", "rand25"];
        int k = args.Length > 5 ? int.Parse(args[5]) : 10;

        var gen = new SyntheticVectorGenerator(Dim, 42);
        var rows = new float[(long)n * Dim];
        var category = new byte[n + 1]; // by id (id = ordinal)
        var stream = gen.CreateBaseStream();
        for (int i = 0; i < n; i++)
            category[i] = (byte)(stream.Next(rows.AsSpan(i * Dim, Dim)) % Categories);
        var queries = new float[nq * Dim];
        var queryCategory = new int[nq];
        var qs = gen.CreateQueryStream();
        for (int i = 0; i < nq; i++)
            queryCategory[i] = qs.Next(queries.AsSpan(i * Dim, Dim)) % Categories;
        var ids = new long[n];
        for (int i = 0; i < n; i++)
            ids[i] = i;

        string graphDir = Path.Combine(Path.GetTempPath(), $"hnsw-filtered-graph-{n}");
        if (!Directory.Exists(graphDir))
        {
            var sw = Stopwatch.StartNew();
            var built = new HnswIndex(Dim, DistanceMetric.Cosine, new HnswOptions { M = 16, EfConstruction = 200 });
            built.Add(ids, rows);
            using var ordered = (HnswIndex)IndexLayout.ForSearch(built);
            Console.WriteLine($"built {n} x {Dim} in {sw.Elapsed.TotalSeconds:F1} s (breadth-first copy included)");
            ordered.Save(graphDir);
        }
        using var flat = new FlatIndex(Dim, DistanceMetric.Cosine);
        flat.Add(ids, rows);
        rows = [];
        // A variant may name its own ef after an @ (acorn@128); one load per distinct option set.
        var efOf = variants.Select(v => v.Contains('@') ? int.Parse(v[(v.IndexOf('@') + 1)..]) : ef).ToArray();
        var optionNames = variants.Select(v => v.Contains('@') ? v[..v.IndexOf('@')] : v).ToArray();
        // Every page of each load's mapping touched first, so no variant takes its first-touch faults inside the timing.
        var loaded = optionNames.Distinct().ToDictionary(v => v, v => HnswIndex.Load(graphDir, OptionsOf(v), TouchEveryPage));
        var indexes = optionNames.Select(v => loaded[v]).ToArray();
        Console.WriteLine($"hnsw-filtered: {n} x {Dim} cosine, M 16 efC 200, {nq} queries, ef {ef}, k {k}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"| case | admitted | variant | p50 ms (round 1 / 2) | p99 ms (round 1 / 2) | mean ms (round 1 / 2) | recall@{k} |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|");

        var outIds = new long[k];
        var outDist = new float[k];
        foreach (string c in cases)
        {
            var filters = new IdFilter?[nq];
            for (int q = 0; q < nq; q++)
                filters[q] = FilterFor(c, queryCategory[q], category);
            double admitted = 0;
            for (int q = 0; q < nq; q++)
                admitted += filters[q] is { } f ? Admitted(f, n) : n;
            admitted /= (double)nq * n;
            var truth = new long[nq * k];
            var truthDist = new float[nq * k];
            for (int q = 0; q < nq; q++)
                flat.Search(queries.AsSpan(q * Dim, Dim), k, truth.AsSpan(q * k, k), truthDist.AsSpan(q * k, k), new SearchParameters { Filter = filters[q] });

            var parameters = efOf.Select(e => filters.Select(f => new SearchParameters { Ef = e, Filter = f, MaxDegreeOfParallelism = 1 }).ToArray()).ToArray();
            // Warm-up: each (filter kind, variant) is a new generic instantiation, first run as tier-0 code; two passes
            // with a pause between give the background tier-1 compile (on this same pinned core) time to land.
            for (int pass = 0; pass < 2; pass++)
            {
                for (int v = 0; v < indexes.Length; v++)
                {
                    for (int q = 0; q < Math.Min(100, nq); q++)
                        indexes[v].Search(queries.AsSpan(q * Dim, Dim), k, outIds, outDist, parameters[v][q]);
                }
                Thread.Sleep(500);
            }
            var times = new double[indexes.Length, 2][];
            var hits = new long[indexes.Length];
            for (int round = 0; round < 2; round++)
            {
                for (int v = 0; v < indexes.Length; v++)
                {
                    var ms = new double[nq];
                    for (int q = 0; q < nq; q++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        indexes[v].Search(queries.AsSpan(q * Dim, Dim), k, outIds, outDist, parameters[v][q]);
                        ms[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                        if (round == 0)
                        {
                            foreach (long id in outIds)
                            {
                                if (id >= 0 && Array.IndexOf(truth, id, q * k, k) >= 0)
                                    hits[v]++;
                                if (id >= 0 && filters[q] is { } f && !f.Allows(id))
                                    throw new InvalidOperationException($"{variants[v]} returned id {id}, which the filter does not allow");
                            }
                        }
                    }
                    times[v, round] = ms;
                }
            }
            for (int v = 0; v < indexes.Length; v++)
            {
                var r1 = times[v, 0];
                var r2 = times[v, 1];
                Console.WriteLine($"| {c} | {admitted:P1} | {variants[v]} | {Pct(r1, 0.5):F3} / {Pct(r2, 0.5):F3} | {Pct(r1, 0.99):F2} / {Pct(r2, 0.99):F2} | {r1.Average():F3} / {r2.Average():F3} | {hits[v] / (double)(nq * k):F4} |");
            }
        }
        Console.WriteLine($"load after {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var index in loaded.Values)
            index.Dispose();
        return 0;
    }

    private static HnswOptions OptionsOf(string variant) => variant switch
    {
        "walk" => new HnswOptions { AdmittedWalkMaxFraction = 0 },
        "acorn" => new HnswOptions(),
        "acorn1" => new HnswOptions { AdmittedWalkEfScale = 1, AdmittedWalkProbe = false },
        "acorn-noprobe" => new HnswOptions { AdmittedWalkProbe = false },
        _ when variant.StartsWith("acorn-s", StringComparison.Ordinal) => new HnswOptions { AdmittedWalkEfScale = double.Parse(variant["acorn-s".Length..], System.Globalization.CultureInfo.InvariantCulture) },
        _ when variant.StartsWith("acorn-t", StringComparison.Ordinal) => new HnswOptions { AdmittedWalkTwoHopBelow = int.Parse(variant["acorn-t".Length..]) },
        _ when variant.StartsWith("acorn-u", StringComparison.Ordinal) => new HnswOptions { AdmittedWalkUpperEf = int.Parse(variant["acorn-u".Length..]) },
        _ when variant.StartsWith("acorn-m", StringComparison.Ordinal) => new HnswOptions { AdmittedWalkMaxFraction = double.Parse(variant["acorn-m".Length..], System.Globalization.CultureInfo.InvariantCulture) },
        _ => throw new ArgumentException($"variant {variant}: walk, acorn, acorn1, acorn-noprobe, acorn-sF, acorn-tN, acorn-uN or acorn-mF"),
    };

    private static IdFilter? FilterFor(string name, int queryCategory, byte[] category)
    {
        if (name == "none")
            return null;
        bool bits = name.EndsWith("-bits", StringComparison.Ordinal);
        string kind = bits ? name[..^"-bits".Length] : name;
        IdFilter filter = kind switch
        {
            "corr1" => new CategoryFilter(category, Mask(queryCategory + 1, 1)),
            "corr2" => new CategoryFilter(category, Mask(queryCategory + 1, 2)),
            "corr4" => new CategoryFilter(category, Mask(queryCategory + 1, 4)),
            "corr8" => new CategoryFilter(category, Mask(queryCategory + 1, 8)),
            "corr12" => new CategoryFilter(category, Mask(queryCategory + 1, 12)),
            "corr4in" => new CategoryFilter(category, Mask(queryCategory, 4)),
            "rand25" => new HashedFilter(category.Length - 1, 2),
            "rand50" => new HashedFilter(category.Length - 1, 1),
            _ => throw new ArgumentException($"case {name}: corr1, corr2, corr4, corr8, corr12, corr4in, rand25 or rand50, optionally with -bits"),
        };
        if (!bits)
            return filter;
        var set = new AllowBitset(category.Length - 1);
        for (long id = 0; id < set.Length; id++)
        {
            if (filter.Allows(id))
                set.Set(id);
        }
        return set;
    }

    private static unsafe void TouchEveryPage(RecSys.Engine.Core.Vectors.Storage.MappedVectorFile m)
    {
        long sum = 0;
        for (long off = 0; off < m.MappingLength; off += 4096)
            sum += m.MappingPointer[off];
        GC.KeepAlive(sum);
    }

    private static int Mask(int first, int count)
    {
        int mask = 0;
        for (int i = 0; i < count; i++)
            mask |= 1 << ((first + i) % Categories);
        return mask;
    }

    private static long Admitted(IdFilter filter, int n)
    {
        long count = 0;
        for (long id = 0; id < n; id += 97)
        {
            if (filter.Allows(id))
                count += 97;
        }
        return count;
    }

    private static double Pct(double[] ms, double p)
    {
        var s = (double[])ms.Clone();
        Array.Sort(s);
        return s[Math.Min(s.Length - 1, (int)(s.Length * p))];
    }

    /// <summary>The request path's kind of filter: a subclass, a lookup per test.</summary>
    private sealed class CategoryFilter(byte[] categoryOfId, int mask) : IdFilter
    {
        public override bool Allows(long id) => (ulong)id < (ulong)categoryOfId.Length && ((mask >> categoryOfId[id]) & 1) != 0;
    }

    /// <summary>Admits the ids whose hash has its top <paramref name="bits"/> bits clear: 2^-bits of them, uncorrelated.</summary>
    private sealed class HashedFilter(long n, int bits) : IdFilter
    {
        public override bool Allows(long id) => (ulong)id < (ulong)n && ((ulong)id * 0x9E3779B97F4A7C15UL) >> (64 - bits) == 0;
    }
}
