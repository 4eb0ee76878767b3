using System.Diagnostics;
using RecSys.Engine.Models.Als;

namespace RecSys.Engine.Benchmarks.Models;

/// <summary>
/// `als-gram [rows] [k] [reps]`: times the ALS Gram (Y^T Y + lambda I) at a catalog size too large for BenchmarkDotNet's
/// repetitions: the scalar reference (the loop serving ran on the first fold-in until 2026-12-05, parallel over output
/// rows) against the widened kernel, interleaved, both on all cores; checks they agree bit for bit. Default 1,000,000 x 96, 3 reps.
/// </summary>
internal static class AlsGramHarness
{
    public static int Run(string[] args)
    {
        int rows = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
        int k = args.Length > 1 ? int.Parse(args[1]) : 96;
        int reps = args.Length > 2 ? int.Parse(args[2]) : 3;
        var rng = new Random(42);
        var src = new float[(long)rows * k];
        for (long i = 0; i < src.LongLength; i++)
            src[i] = (float)(rng.NextDouble() * 0.2 - 0.1);
        Console.WriteLine($"als-gram: {rows:N0} x {k}, {Environment.ProcessorCount} cores, {reps} reps; load {File.ReadAllText("/proc/loadavg").Trim()}");
        var reference = new List<double>();
        var widened = new List<double>();
        float[]? a = null, b = null;
        for (int rep = 0; rep < reps; rep++)
        {
            var sw = Stopwatch.StartNew();
            a = AlsKernels.GramReference(src, rows, k, 0.1f);
            reference.Add(sw.Elapsed.TotalSeconds);
            sw.Restart();
            b = AlsKernels.Gram(src, rows, k, 0.1f);
            widened.Add(sw.Elapsed.TotalSeconds);
            Console.WriteLine($"rep {rep + 1}: reference {reference[^1]:F2} s, kernel {widened[^1]:F2} s");
        }
        bool same = a!.AsSpan().SequenceEqual(b);
        double mr = reference.Order().ElementAt(reps / 2), mw = widened.Order().ElementAt(reps / 2);
        Console.WriteLine($"median: reference {mr:F2} s, kernel {mw:F2} s ({mr / mw:F1}x); bit for bit equal: {same}");
        return same ? 0 : 1;
    }
}
