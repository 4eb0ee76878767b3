using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// Runs candidates one after another on the same data in one process, so peers are compared under
/// the same conditions: build (timed), a time-based warm-up per setting, then every query once on one thread (timed per query).
/// recall@k = |returned top-k ∩ exact top-k| / k, averaged over queries.
/// </summary>
internal static class AnnBenchmarkRunner
{
    public static List<AnnResult> Run(AnnDataset data, IReadOnlyList<IAnnCandidate> candidates, int k, TextWriter log)
    {
        if (k > data.GroundTruthK)
            throw new CliInputException($"--k: {k} is larger than the ground truth depth ({data.GroundTruthK})");
        var results = new List<AnnResult>();
        var ids = new long[k];
        var latencies = new double[data.QueryCount];
        foreach (var candidate in candidates)
        {
            log.WriteLine($"[{candidate.Name}] building over {data.BaseCount:N0} x {data.Dimension} ({data.Metric})...");
            var sw = Stopwatch.StartNew();
            candidate.Build(data, log);
            double buildSeconds = sw.Elapsed.TotalSeconds;
            log.WriteLine($"[{candidate.Name}] built in {buildSeconds:F2}s");

            for (int s = 0; s < candidate.Settings.Count; s++)
            {
                Warm(candidate, s, data, k, ids);

                int gc0 = GC.CollectionCount(0), gc1 = GC.CollectionCount(1), gc2 = GC.CollectionCount(2);
                long jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
                var jitTime = System.Runtime.JitInfo.GetCompilationTime();
                double seconds = TimedLoop(candidate, s, data, k, ids, latencies, out double hits);
                Array.Sort(latencies, 0, data.QueryCount);
                // What else ran inside the timed loop: a compile or a collection shows here (and in the max latency).
                log.WriteLine($"[{candidate.Name}] timed loop: max {latencies[data.QueryCount - 1]:F0} us, gc {GC.CollectionCount(0) - gc0}/{GC.CollectionCount(1) - gc1}/{GC.CollectionCount(2) - gc2}, jit {System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods} methods {(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F1} ms");
                string settings = string.Join(",", new[] { candidate.BuildParams, candidate.Settings[s] }.Where(x => x.Length > 0));
                var row = new AnnResult(
                    candidate.Name, settings, Math.Round(buildSeconds, 3),
                    Math.Round(hits / ((double)data.QueryCount * k), 4),
                    Math.Round(data.QueryCount / seconds, 1),
                    Math.Round(candidate.BytesPerVectorAt(s), 1),
                    Math.Round(Percentile(latencies, data.QueryCount, 0.50), 1),
                    Math.Round(Percentile(latencies, data.QueryCount, 0.99), 1));
                results.Add(row);
                log.WriteLine($"[{candidate.Name}] {settings}: recall@{k} {row.RecallAt10:F4}, {row.Qps1Thread:N0} QPS (1 thread)");
            }
            candidate.Dispose();
        }
        return results;
    }

    /// <summary>
    /// Every query once, each timed; returns the seconds for all of them. Compiled optimised before its first
    /// run: inline in <see cref="Run"/>, the loop ran as tier-0 code until on-stack replacement compiled the
    /// whole of Run (30-43 ms) on this thread in the middle of some setting's timed loop, between two queries:
    /// invisible in the per-query latencies, but a third of that row's QPS gone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double TimedLoop(IAnnCandidate candidate, int setting, AnnDataset data, int k, long[] ids, double[] latencies, out double hits)
    {
        hits = 0;
        long total = Stopwatch.GetTimestamp();
        for (int q = 0; q < data.QueryCount; q++)
        {
            long t0 = Stopwatch.GetTimestamp();
            candidate.Search(setting, data.Query(q), k, ids);
            latencies[q] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            hits += CountHits(ids, data.GroundTruth.AsSpan(q * data.GroundTruthK, k));
        }
        return Stopwatch.GetElapsedTime(total).TotalSeconds;
    }

    /// <summary>
    /// Warm-up, not timed: caches, page faults and, above all, tiered JIT. A method is recompiled at
    /// tier 1 only after 30 calls and a quiet spell of ~100 ms, on a background thread, so a fixed handful
    /// of queries leaves the first setting measured on tier-0 code (and, on 2 cores, racing the
    /// compiler). Cycle through the queries for at least 0.3 s and 50 searches (at most 3 s, for slow
    /// exact scans), pause so the background compiles land, then keep searching in 150 ms rounds until a
    /// round compiles no method at all (at most 5 s more). The last step exists because a compile can land
    /// later: with two HNSW candidates in one process, one 10-35 ms compile was seen inside a timed loop of
    /// the second, which cut that row's mean QPS by a third while its p50 did not move.
    /// </summary>
    private static void Warm(IAnnCandidate candidate, int setting, AnnDataset data, int k, long[] ids)
    {
        var sw = Stopwatch.StartNew();
        int done = 0;
        while ((sw.Elapsed.TotalSeconds < 0.3 || done < 50) && sw.Elapsed.TotalSeconds < 3)
        {
            WarmOne(candidate, setting, data, k, ids, done++);
        }
        Thread.Sleep(150);
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed.TotalSeconds < 5)
        {
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            var round = Stopwatch.StartNew();
            while (round.Elapsed.TotalMilliseconds < 150)
            {
                WarmOne(candidate, setting, data, k, ids, done++);
            }
            if (System.Runtime.JitInfo.GetCompiledMethodCount() == compiled)
                break;
            Thread.Sleep(50);
        }
    }

    /// <summary>One untimed query, scored as the timed loop scores it (so that code is compiled before the clock starts too).</summary>
    private static void WarmOne(IAnnCandidate candidate, int setting, AnnDataset data, int k, long[] ids, int done)
    {
        int q = done % data.QueryCount;
        candidate.Search(setting, data.Query(q), k, ids);
        CountHits(ids, data.GroundTruth.AsSpan(q * data.GroundTruthK, k));
    }

    private static int CountHits(ReadOnlySpan<long> found, ReadOnlySpan<int> truth)
    {
        int hits = 0;
        foreach (long id in found)
        {
            if (id >= 0 && truth.Contains((int)id))
                hits++;
        }
        return hits;
    }

    private static double Percentile(double[] sorted, int n, double p) =>
        n == 0 ? 0 : sorted[Math.Min(n - 1, (int)Math.Ceiling(p * n) - 1)];

    public static void PrintTable(IReadOnlyList<AnnResult> results, int k, TextWriter output)
    {
        output.WriteLine($"| index | params | build s | recall@{k} | QPS (1 thread) | p50 us | p99 us | bytes/vector |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            output.WriteLine($"| {r.Index} | {r.Params} | {r.BuildSeconds:F2} | {r.RecallAt10:F4} | {r.Qps1Thread:N1} | {r.P50Micros:F1} | {r.P99Micros:F1} | {r.BytesPerVector:F0} |");
    }
}
