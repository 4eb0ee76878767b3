using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// Runs candidates on the same data in one process, so peers are compared under the same conditions: every index
/// is built once (timed), then the comparison runs <see cref="AnnTiming.Runs"/> times, each run starting at the next
/// index (run 1: A B C, run 2: B C A, ...) so drift on a shared machine hits every row alike. Per row and run: a
/// time-based warm-up, then the query set on one thread, each query timed, repeated until the row has been timed for
/// at least <see cref="AnnTiming.MinTime"/>.
/// recall@k = |returned top-k ∩ exact top-k| / k, averaged over queries, each query counted once.
/// </summary>
internal static class AnnBenchmarkRunner
{
    /// <summary>Latencies kept per row and run for the percentiles: the most recent whole passes that fit (8 MB).</summary>
    private const int LatencyCapacity = 1 << 20;

    /// <summary>One row measured in one run.</summary>
    private readonly record struct Measure(double Qps, long Queries, double Recall, double P50, double P99);

    public static List<AnnResult> Run(AnnDataset data, IReadOnlyList<IAnnCandidate> candidates, int k, AnnTiming timing, TextWriter log)
    {
        if (k > data.GroundTruthK)
            throw new CliInputException($"--k: {k} is larger than the ground truth depth ({data.GroundTruthK})");
        try
        {
            var buildSeconds = new double[candidates.Count];
            for (int c = 0; c < candidates.Count; c++)
            {
                var candidate = candidates[c];
                log.WriteLine($"[{candidate.Name}] building over {data.BaseCount:N0} x {data.Dimension} ({data.Metric})...");
                var sw = Stopwatch.StartNew();
                candidate.Build(data, log);
                buildSeconds[c] = sw.Elapsed.TotalSeconds;
                log.WriteLine($"[{candidate.Name}] built in {buildSeconds[c]:F2}s");
            }

            // Settings are read after the builds: a candidate may learn in Build that it can serve fewer.
            var measures = candidates.Select(c => c.Settings.Select(_ => new List<Measure>()).ToArray()).ToArray();
            var ids = new long[k];
            var latencies = new double[Math.Max(LatencyCapacity, data.QueryCount)];
            for (int run = 0; run < timing.Runs; run++)
            {
                var order = Enumerable.Range(0, candidates.Count).Select(j => (run + j) % candidates.Count).ToArray();
                log.WriteLine($"run {run + 1}/{timing.Runs}: {string.Join(", ", order.Select(c => candidates[c].Name))}; load average {LoadAverage()}");
                foreach (int c in order)
                {
                    for (int s = 0; s < candidates[c].Settings.Count; s++)
                        measures[c][s].Add(MeasureRow(candidates[c], s, data, k, timing.MinTime, ids, latencies, log));
                }
            }
            log.WriteLine($"done; load average {LoadAverage()}");

            var results = new List<AnnResult>();
            for (int c = 0; c < candidates.Count; c++)
            {
                var candidate = candidates[c];
                for (int s = 0; s < candidate.Settings.Count; s++)
                    results.Add(Row(candidate, s, buildSeconds[c], measures[c][s], timing));
            }
            return results;
        }
        finally
        {
            foreach (var candidate in candidates)
                candidate.Dispose();
        }
    }

    private static AnnResult Row(IAnnCandidate candidate, int setting, double buildSeconds, List<Measure> runs, AnnTiming timing)
    {
        string settings = string.Join(",", new[] { candidate.BuildParams, candidate.Settings[setting] }.Where(x => x.Length > 0));
        var qps = runs.Select(m => Math.Round(m.Qps, 1)).ToArray();
        double median = Median(qps);
        return new AnnResult(
            candidate.Name, settings, Math.Round(buildSeconds, 3),
            Math.Round(runs.Average(m => m.Recall), 4),
            median,
            Math.Round(candidate.BytesPerVectorAt(setting), 1),
            Math.Round(Median(runs.Select(m => m.P50).ToArray()), 1),
            Math.Round(Median(runs.Select(m => m.P99).ToArray()), 1),
            runs.Count, median, qps.Min(), qps.Max(), qps,
            runs.Min(m => m.Queries),
            timing.MinTime.TotalSeconds,
            candidate.Library);
    }

    /// <summary>Warm-up, then the query set repeated until at least <paramref name="minTime"/> has been timed.</summary>
    private static Measure MeasureRow(IAnnCandidate candidate, int setting, AnnDataset data, int k, TimeSpan minTime, long[] ids, double[] latencies, TextWriter log)
    {
        Warm(candidate, setting, data, k, ids);

        int gc0 = GC.CollectionCount(0), gc1 = GC.CollectionCount(1), gc2 = GC.CollectionCount(2);
        long jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
        int nq = data.QueryCount;
        int slots = latencies.Length / nq; // whole passes the latency buffer holds; later passes overwrite the oldest
        double seconds = 0, recall = 0;
        int passes = 0;
        do
        {
            seconds += TimedLoop(candidate, setting, data, k, ids, latencies.AsSpan(passes % slots * nq, nq), out double hits);
            if (passes == 0)
                recall = hits / ((double)nq * k);
            passes++;
        }
        while (seconds < minTime.TotalSeconds);
        int kept = Math.Min(passes, slots) * nq;
        Array.Sort(latencies, 0, kept);
        long queries = (long)passes * nq;
        // What else ran inside the timed loops: a compile or a collection shows here (and in the max latency).
        log.WriteLine($"[{candidate.Name}] {candidate.Settings[setting]}: {passes} pass(es), {queries:N0} queries in {seconds:F2}s, {queries / seconds:N0} QPS, recall@{k} {recall:F4}; "
            + $"max {latencies[kept - 1]:F0} us, gc {GC.CollectionCount(0) - gc0}/{GC.CollectionCount(1) - gc1}/{GC.CollectionCount(2) - gc2}, "
            + $"jit {System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods} methods {(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F1} ms");
        return new Measure(queries / seconds, queries, recall, Percentile(latencies, kept, 0.50), Percentile(latencies, kept, 0.99));
    }

    /// <summary>
    /// Every query once, each timed; returns the seconds for all of them. Compiled optimised before its first
    /// run: inline in <see cref="Run"/>, the loop ran as tier-0 code until on-stack replacement compiled the
    /// whole of Run (30-43 ms) on this thread in the middle of some setting's timed loop, between two queries:
    /// invisible in the per-query latencies, but a third of that row's QPS gone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double TimedLoop(IAnnCandidate candidate, int setting, AnnDataset data, int k, long[] ids, Span<double> latencies, out double hits)
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

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? 0 : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>/proc/loadavg's first three fields (1, 5, 15 minutes), or "n/a" off Linux.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    public static void PrintTable(IReadOnlyList<AnnResult> results, int k, TextWriter output)
    {
        int runs = results.Count > 0 ? results.Max(r => r.Runs) : 1;
        string qps = runs > 1 ? $"QPS (1 thread, median of {runs})" : "QPS (1 thread)";
        output.WriteLine($"| index | params | build s | recall@{k} | {qps} | QPS min-max | p50 us | p99 us | bytes/vector |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            output.WriteLine($"| {r.Index} | {r.Params} | {r.BuildSeconds:F2} | {r.RecallAt10:F4} | {r.Qps1Thread:N1} | {r.QpsMin:N0}-{r.QpsMax:N0} | {r.P50Micros:F1} | {r.P99Micros:F1} | {r.BytesPerVector:F0} |");
    }
}
