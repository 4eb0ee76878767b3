using System.Diagnostics;
using System.Globalization;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.LinearAlgebra;
using RecSys.Engine.Models.Neighbors;

namespace RecSys.Engine.Benchmarks.Models;

/// <summary>
/// Timed harness for the EASE fit at catalog sizes BenchmarkDotNet cannot repeat (a 20,000-item inverse is
/// 8 Tflop): <c>ease-scale N[,N...] [--threads 1,-1] [--reps R] [--old N_MAX] [--fit | --fit-only]</c>
/// (or <c>--gemm</c>: C = A B at n x n x n; <c>--kernel</c>: the micro-kernel alone). For each size it
/// builds the Gram matrix of synthetic binary interactions (popularity-skewed, 40 per user, as many users
/// as items), adds lambda = 300, and times the SPD inverse: the blocked one (BlockedSpdInverse) and, up
/// to N_MAX, the reference (DenseCholesky.InvertSpd) and the first version (InvertSpdBaseline). GFLOP/s
/// counts the n^3 flops of Cholesky + triangular inverse + L^-T L^-1 (n^3 / 3 each, a multiply-add = 2 flops).
/// With --fit it also times Ease.ComputeWeights end to end (inverse in place + the float weights); with
/// --fit-only it runs only that, once, on the one copy of the Gram matrix, so the peak working set is the fit's.
/// Prints the median of R runs and the process's peak working set.
/// </summary>
public static class EaseScaleHarness
{
    public static int Run(string[] args)
    {
        int[] sizes = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal)
            ? args[0].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : [1682, 5000];
        int[] threads = Option(args, "--threads")?.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() ?? [1, -1];
        int reps = int.Parse(Option(args, "--reps") ?? "3", CultureInfo.InvariantCulture);
        int oldMax = int.Parse(Option(args, "--old") ?? "0", CultureInfo.InvariantCulture);
        bool fit = args.Contains("--fit");
        bool fitOnly = args.Contains("--fit-only");
        if (args.Contains("--gemm"))
            return Gemm(sizes, threads, reps);
        if (args.Contains("--kernel"))
            return Kernel(reps);
        Console.WriteLine($"# {Environment.ProcessorCount} cores, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| n | method | threads | median s | min s | GFLOP/s (median) |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        foreach (int n in sizes)
        {
            var gramWatch = Stopwatch.StartNew();
            double[] gram = SyntheticGram(n);
            gramWatch.Stop();
            Console.Error.WriteLine($"n={n}: Gram {gramWatch.Elapsed.TotalSeconds:F2} s");
            double flops = (double)n * n * n;
            if (fitOnly)
            {
                // The only copy of the Gram matrix goes into the fit, so the peak working set below is the fit's.
                Report(n, "Ease.ComputeWeights on the only copy (peak-memory run)", threads[0], 1, flops, () =>
                {
                    var w = Stopwatch.StartNew();
                    GC.KeepAlive(Ease.ComputeWeights(gram, n, 0f, threads[0]));
                    return w.Elapsed.TotalSeconds;
                });
                continue;
            }
            var work = new double[gram.LongLength];
            foreach (int t in threads)
            {
                Report(n, "blocked (BlockedSpdInverse)", t, reps, flops, () =>
                {
                    Array.Copy(gram, work, gram.LongLength);
                    var w = Stopwatch.StartNew();
                    BlockedSpdInverse.InvertInPlace(work, n, t);
                    return w.Elapsed.TotalSeconds;
                });
                if (fit)
                {
                    Report(n, "Ease.ComputeWeights (in place + float B)", t, reps, flops, () =>
                    {
                        Array.Copy(gram, work, gram.LongLength);
                        var w = Stopwatch.StartNew();
                        Ease.ComputeWeights(work, n, 0f, t); // lambda is already on the diagonal
                        return w.Elapsed.TotalSeconds;
                    });
                }
                if (n <= oldMax)
                {
                    Report(n, "reference 4-way dots (DenseCholesky.InvertSpd)", t, reps, flops, () =>
                    {
                        var w = Stopwatch.StartNew();
                        DenseCholesky.InvertSpd(gram, n, t);
                        return w.Elapsed.TotalSeconds;
                    });
                    Report(n, "first version (InvertSpdBaseline)", t, reps, flops, () =>
                    {
                        var w = Stopwatch.StartNew();
                        InvertSpdBaseline.Invert(gram, n, t);
                        return w.Elapsed.TotalSeconds;
                    });
                }
            }
        }
        Console.WriteLine($"# peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024 * 1024):F2} GiB, load {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static void Report(int n, string method, int threads, int reps, double flops, Func<double> run)
    {
        var times = new List<double>();
        for (int r = 0; r < reps; r++)
            times.Add(run());
        times.Sort();
        double median = times[times.Count / 2];
        Console.WriteLine($"| {n:N0} | {method} | {(threads > 0 ? threads.ToString(CultureInfo.InvariantCulture) : "all")} | {median:F3} | {times[0]:F3} | {flops / median / 1e9:F1} |");
    }

    /// <summary>X^T X + 300 I of a users x n binary matrix: n users, 40 distinct-ish items each, squared-uniform popularity skew.</summary>
    private static double[] SyntheticGram(int n)
    {
        var rng = new SplitMix64((ulong)n);
        int users = n, perUser = 40;
        var rows = new int[users * perUser];
        var cols = new int[users * perUser];
        var values = new float[users * perUser];
        for (int u = 0, e = 0; u < users; u++)
        {
            for (int q = 0; q < perUser; q++, e++)
            {
                double x = (rng.Next() >> 11) * (1.0 / (1UL << 53));
                rows[e] = u;
                cols[e] = (int)(x * x * n);
                values[e] = 1;
            }
        }
        var usersByItems = InteractionMatrix.FromTriples(users, n, rows, cols, values, binary: true);
        double[] gram = CoOccurrence.Gram(usersByItems, usersByItems.Transpose());
        for (int i = 0; i < n; i++)
            gram[(long)i * n + i] += 300;
        return gram;
    }

    /// <summary>The plain product C = A B at n x n x n (2 n^3 flops): the ceiling the factorisation's products work under.</summary>
    private static unsafe int Gemm(int[] sizes, int[] threads, int reps)
    {
        Console.WriteLine("| n | method | threads | median s | min s | GFLOP/s (median) |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        foreach (int n in sizes)
        {
            var rng = new SplitMix64(1);
            double[] a = new double[(long)n * n], b = new double[(long)n * n], c = new double[(long)n * n];
            for (long i = 0; i < a.LongLength; i++) { a[i] = rng.NextGaussian(); b[i] = rng.NextGaussian(); }
            var ws = new GemmWorkspace();
            foreach (int t in threads)
            {
                Report(n, "PackedGemm C = A B", t, reps, 2.0 * n * n * n, () =>
                {
                    var w = Stopwatch.StartNew();
                    fixed (double* pa = a, pb = b, pc = c)
                        PackedGemm.Multiply(n, n, n, 1.0, pa, n, pb, n, pc, n, GemmOptions.None, ws, t);
                    return w.Elapsed.TotalSeconds;
                });
            }
        }
        return 0;
    }

    /// <summary>The 6 x 8 micro-kernel alone on one core, its panels in L1 (kc = 256): the ceiling of everything above it.</summary>
    private static unsafe int Kernel(int reps)
    {
        const int kc = PackedGemm.KC, calls = 200_000;
        double[] a = new double[kc * GemmKernel.MR], b = new double[kc * GemmKernel.NR], c = new double[GemmKernel.MR * GemmKernel.NR];
        Array.Fill(a, 1e-3);
        Array.Fill(b, 1e-3);
        Console.WriteLine("| n | method | threads | median s | min s | GFLOP/s (median) |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        Report(kc, "GemmKernel 6x8, kc = 256, panels in L1", 1, reps, 2.0 * kc * GemmKernel.MR * GemmKernel.NR * calls, () =>
        {
            var w = Stopwatch.StartNew();
            fixed (double* pa = a, pb = b, pc = c)
            {
                for (int i = 0; i < calls; i++)
                    GemmKernel.Compute(kc, pa, pb, pc, GemmKernel.NR, 1.0, accumulate: true);
            }
            return w.Elapsed.TotalSeconds;
        });
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
