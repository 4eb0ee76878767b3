using System.Diagnostics;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Synthetic;

namespace RecSys.Engine.Benchmarks.Index;

/// <summary>
/// `coarseprobe [nlists] [M] [efc]`: the coarse graph against the exact scan on 96-d centroid-like rows
/// (normalised generated base rows, seed 42; 500 generated queries): one-thread build seconds, save and
/// load seconds of the graph, and per nprobe (16, 64) and ef the mean probe time and the fraction of the
/// exact nprobe nearest lists the graph returns. Times are a Stopwatch over 500 queries after two warm
/// passes (BenchmarkDotNet's CoarseQuantizerBenchmarks has the careful timings).
/// </summary>
internal static class CoarseProbeHarness
{
    private const int Dim = 96;
    private const int Queries = 500;

    public static int Run(string[] args)
    {
        int[] nlists = args.Length > 0 ? args[0].Split(',').Select(int.Parse).ToArray() : [1024, 4096, 8192, 16384, 65536];
        var defaults = new IvfPqOptions();
        int m = args.Length > 1 ? int.Parse(args[1]) : defaults.CoarseGraphM;
        int efc = args.Length > 2 ? int.Parse(args[2]) : defaults.CoarseGraphEfConstruction;
        var gen = new SyntheticVectorGenerator(Dim, 42);
        int max = nlists.Max();
        var all = gen.GenerateBase(max);
        for (int i = 0; i < max; i++)
            CosineSimilarity.Normalize(all.AsSpan(i * Dim, Dim));
        var queries = gen.GenerateQueries(Queries);
        for (int i = 0; i < Queries; i++)
            CosineSimilarity.Normalize(queries.AsSpan(i * Dim, Dim));
        Console.WriteLine($"coarseprobe: M {m}, ef construction {efc}, {Queries} queries, one thread; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| nlist | build s | save s | load s | nprobe | exact us | graph ef: us, overlap with exact |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|");
        foreach (int nlist in nlists)
        {
            using var cq = new CoarseQuantizer(all.AsSpan(0, nlist * Dim).ToArray(), Dim, innerProduct: false);
            var sw = Stopwatch.StartNew();
            cq.BuildGraph(m, efc, defaults.Seed + 2);
            double build = sw.Elapsed.TotalSeconds;
            string dir = Path.Combine(Path.GetTempPath(), $"coarseprobe-{Environment.ProcessId}-{nlist}");
            sw.Restart();
            cq.Graph!.Save(dir);
            double save = sw.Elapsed.TotalSeconds;
            sw.Restart();
            using (var loaded = HnswIndex.Load(dir))
            {
                if (loaded.Count != nlist)
                    throw new InvalidOperationException("graph did not round-trip");
            }
            double load = sw.Elapsed.TotalSeconds;
            Directory.Delete(dir, recursive: true);
            foreach (int nprobe in new[] { 16, 64 })
            {
                var exact = new long[Queries * nprobe];
                var keys = new float[nprobe];
                for (int r = 0; r < 3; r++)
                {
                    sw.Restart();
                    for (int q = 0; q < Queries; q++)
                        cq.Probe(queries.AsSpan(q * Dim, Dim), exact.AsSpan(q * nprobe, nprobe), keys, exact: true);
                }
                double exactUs = sw.Elapsed.TotalMicroseconds / Queries;
                var line = $"| {nlist:N0} | {build:F2} | {save:F3} | {load:F3} | {nprobe} | {exactUs:F1} |";
                var got = new long[nprobe];
                foreach (int ef in new[] { 16, 32, 64, 128, 256 })
                {
                    if (ef < nprobe)
                        continue;
                    int hits = 0;
                    for (int r = 0; r < 3; r++)
                    {
                        hits = 0;
                        sw.Restart();
                        for (int q = 0; q < Queries; q++)
                        {
                            cq.Probe(queries.AsSpan(q * Dim, Dim), got, keys, ef);
                            var e = exact.AsSpan(q * nprobe, nprobe);
                            foreach (long l in got)
                            {
                                if (e.Contains(l))
                                    hits++;
                            }
                        }
                    }
                    line += $" ef {ef}: {sw.Elapsed.TotalMicroseconds / Queries:F1} us, {(double)hits / (Queries * nprobe):F3};";
                }
                Console.WriteLine(line);
            }
        }
        Console.WriteLine($"load after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }
}
