using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Benchmarks.Vectors;

/// <summary>
/// `kernel-ab [dims] [blocks]`: the float32 dot product's remainder, A/B in one process. Separate BenchmarkDotNet
/// processes moved unchanged few-ns kernels by up to 40% (bench/results/kernels.md), more than the change sought, so
/// the variants run here side by side, alternating in blocks: P = the production kernel (`PairwiseKernel`, in Core),
/// A = a copy of its loop (the remainder as a one-vector loop on a single accumulator), B = the same loop with the
/// remainder on independent accumulators (one two-vector step on two accumulators, then one step on a third): a
/// candidate, measured and not adopted (bench/results/kernels.md). A and B are compiled in this assembly side by side,
/// so B against A is the loop shape alone; dimensions with no remainder (64, 128, 256) are the control, and P
/// against A shows what code placement does to the same loop. Widest accelerated rung, as production runs it.
/// Each block times 64 rows (in L1) x 4,000 passes; prints the median ns per call and the median B/A of pairs.
/// </summary>
internal static class KernelRemainderAbHarness
{
    private const int Rows = 64;
    private const int Passes = 4000;

    public static int Run(string[] args)
    {
        if (!Vector256.IsHardwareAccelerated)
            return Usage("needs Vector256 or Vector512 hardware acceleration (the rungs it compares)");
        // The widest rung runs only from one full vector up; shorter rows would silently measure another rung.
        int minDim = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;
        int[] dims = [64, 96, 100, 128, 256];
        if (args.Length > 0)
        {
            var parsed = new List<int>();
            foreach (string d in args[0].Split(','))
            {
                if (!int.TryParse(d, out int dim) || dim < minDim || dim > 65536)
                    return Usage($"dims: '{d}' is not a dimension from {minDim} to 65536");
                parsed.Add(dim);
            }
            dims = parsed.ToArray();
        }
        int blocks = 21;
        if (args.Length > 1 && (!int.TryParse(args[1], out blocks) || blocks < 1 || blocks > 100_000))
            return Usage($"blocks: '{args[1]}' is not a count from 1 to 100000");
        Console.WriteLine($"kernel-ab: Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}; {Rows} rows x {Passes} passes per block, {blocks} blocks per variant; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| dim | P ns (production) | A ns (copy of production) | B ns (remainder on 3 accumulators) | A/P (placement) | B/A median of pairs | B faster in pairs | max abs diff B-A |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int dim in dims)
        {
            var rng = new Random(42);
            var q = new float[dim];
            var rows = new float[Rows * dim];
            for (int i = 0; i < dim; i++) q[i] = rng.NextSingle() * 2 - 1;
            for (int i = 0; i < rows.Length; i++) rows[i] = rng.NextSingle() * 2 - 1;
            float maxDiff = 0;
            for (int r = 0; r < Rows; r++)
                maxDiff = Math.Max(maxDiff, Math.Abs(Variant(2, q, rows, r, dim) - Variant(1, q, rows, r, dim)));
            for (int w = 0; w < 3; w++) // warm-up: every variant compiled at tier 1 before timing
                for (int v = 0; v < 3; v++)
                    TimeBlock(v, q, rows, dim);
            var ns = new[] { new List<double>(), new List<double>(), new List<double>() };
            for (int b = 0; b < blocks; b++)
            {
                // Rotate the order so drift and position hit every variant alike.
                for (int k = 0; k < 3; k++)
                {
                    int v = (b + k) % 3;
                    ns[v].Add(TimeBlock(v, q, rows, dim));
                }
            }
            var pairs = Enumerable.Range(0, blocks).Select(i => ns[2][i] / ns[1][i]).ToList();
            Console.WriteLine($"| {dim} | {Median(ns[0]):F2} | {Median(ns[1]):F2} | {Median(ns[2]):F2} | {Median(ns[1]) / Median(ns[0]):F2} | {Median(pairs):F3} | {pairs.Count(x => x < 1)}/{blocks} | {maxDiff:G3} |");
        }
        return 0;
    }

    private static int Usage(string reason)
    {
        Console.Error.WriteLine($"kernel-ab: {reason}");
        Console.Error.WriteLine("usage: kernel-ab [dims, e.g. 64,96,100] [blocks per variant]");
        return 2;
    }

    private static double TimeBlock(int variant, float[] q, float[] rows, int dim)
    {
        float sink = 0;
        long t0 = Stopwatch.GetTimestamp();
        for (int p = 0; p < Passes; p++)
            for (int r = 0; r < Rows; r++)
                sink += Variant(variant, q, rows, r, dim);
        double ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / ((double)Passes * Rows);
        GC.KeepAlive(sink);
        return ns;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Variant(int variant, float[] q, float[] rows, int r, int dim)
    {
        ref float qr = ref MemoryMarshal.GetArrayDataReference(q);
        ref float rr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(rows), r * dim);
        return variant switch
        {
            0 => PairwiseKernel.Run<Float32RowLoader, float, DotOperator>(ref qr, ref rr, dim),
            1 => Widest(ref qr, ref rr, dim, remainderOnThree: false),
            _ => Widest(ref qr, ref rr, dim, remainderOnThree: true),
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Widest(ref float q, ref float r, int n, bool remainderOnThree)
    {
        if (Vector512.IsHardwareAccelerated && n >= 16)
            return remainderOnThree ? Three<Vector512<float>>(ref q, ref r, n) : Copy<Vector512<float>>(ref q, ref r, n);
        if (Vector256.IsHardwareAccelerated && n >= 8)
            return remainderOnThree ? Three<Vector256<float>>(ref q, ref r, n) : Copy<Vector256<float>>(ref q, ref r, n);
        throw new PlatformNotSupportedException("kernel-ab needs Vector256 or Vector512");
    }

    /// <summary>PairwiseKernel.Accumulate as it is (float32 rows, dot product).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Copy<TVector>(ref float q, ref float r, int n) where TVector : struct
    {
        nuint w = VectorWidth.Lanes<TVector>();
        TVector acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        nuint i = 0, len = (nuint)n;
        for (; i + 4 * w <= len; i += 4 * w)
        {
            acc0 = At(acc0, ref q, ref r, i);
            acc1 = At(acc1, ref q, ref r, i + w);
            acc2 = At(acc2, ref q, ref r, i + 2 * w);
            acc3 = At(acc3, ref q, ref r, i + 3 * w);
        }
        for (; i + w <= len; i += w)
            acc0 = At(acc0, ref q, ref r, i);
        if (i < len)
            acc1 = Tail(acc1, ref q, ref r, i, len, w);
        return VectorWidth.Sum(acc0, acc1, acc2, acc3);
    }

    /// <summary>The remainder's full vectors on two and a third accumulator, the tail on the fourth (the candidate).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Three<TVector>(ref float q, ref float r, int n) where TVector : struct
    {
        nuint w = VectorWidth.Lanes<TVector>();
        TVector acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        nuint i = 0, len = (nuint)n;
        for (; i + 4 * w <= len; i += 4 * w)
        {
            acc0 = At(acc0, ref q, ref r, i);
            acc1 = At(acc1, ref q, ref r, i + w);
            acc2 = At(acc2, ref q, ref r, i + 2 * w);
            acc3 = At(acc3, ref q, ref r, i + 3 * w);
        }
        if (i + 2 * w <= len)
        {
            acc0 = At(acc0, ref q, ref r, i);
            acc1 = At(acc1, ref q, ref r, i + w);
            i += 2 * w;
        }
        if (i + w <= len)
        {
            acc2 = At(acc2, ref q, ref r, i);
            i += w;
        }
        if (i < len)
            acc3 = Tail(acc3, ref q, ref r, i, len, w);
        return VectorWidth.Sum(acc0, acc1, acc2, acc3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector At<TVector>(TVector acc, ref float q, ref float r, nuint index) where TVector : struct =>
        VectorWidth.Step<TVector, DotOperator>(acc,
            VectorWidth.Load<TVector, Float32RowLoader, float>(ref q, index),
            VectorWidth.Load<TVector, Float32RowLoader, float>(ref r, index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Tail<TVector>(TVector acc, ref float q, ref float r, nuint i, nuint len, nuint w) where TVector : struct
    {
        nuint start = len - w;
        var keep = VectorWidth.KeepMask<TVector>((int)(i - start));
        var b = VectorWidth.And(VectorWidth.Load<TVector, Float32RowLoader, float>(ref r, start), keep);
        var a = VectorWidth.And(VectorWidth.Load<TVector, Float32RowLoader, float>(ref q, start), keep);
        return VectorWidth.Step<TVector, DotOperator>(acc, a, b);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
