using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// The one loop behind every pairwise reduction (dot, squared L2), written once per vector width
/// and specialised by the JIT for each <see cref="IPairwiseOperator"/>.
/// <code>
///   Run  ->  Vector512 (when accelerated, n >= 16)
///        ->  Vector256 (AVX2 + FMA here, n >= 8)
///        ->  Vector128 (n >= 4)
///        ->  scalar
/// </code>
/// Each wide path keeps four independent accumulators (FMA latency is 4 cycles with two ports, so
/// one accumulator would leave the units idle), then a one-vector loop, then one overlapping,
/// masked load for the tail instead of a scalar remainder loop.
/// </summary>
internal static class PairwiseKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Run<TOp>(ref float a, ref float b, int n) where TOp : struct, IPairwiseOperator
    {
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
            return Run512<TOp>(ref a, ref b, n);
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
            return Run256<TOp>(ref a, ref b, n);
        if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
            return Run128<TOp>(ref a, ref b, n);
        return RunScalar<TOp>(ref a, ref b, n);
    }

    /// <summary>Runs exactly the named path (tests and benchmarks); shorter inputs drop to the next rung.</summary>
    public static float Run<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdPath path) where TOp : struct, IPairwiseOperator
    {
        if (x.Length != y.Length)
            ThrowLengthMismatch(x.Length, y.Length);
        ref float a = ref MemoryMarshal.GetReference(x);
        ref float b = ref MemoryMarshal.GetReference(y);
        int n = x.Length;
        switch (path)
        {
            case SimdPath.Auto:
                return Run<TOp>(ref a, ref b, n);
            case SimdPath.Vector512:
                if (n >= Vector512<float>.Count)
                    return Run512<TOp>(ref a, ref b, n);
                goto case SimdPath.Vector256;
            case SimdPath.Vector256:
                if (n >= Vector256<float>.Count)
                    return Run256<TOp>(ref a, ref b, n);
                goto case SimdPath.Vector128;
            case SimdPath.Vector128:
                if (n >= Vector128<float>.Count)
                    return Run128<TOp>(ref a, ref b, n);
                goto default;
            default:
                return RunScalar<TOp>(ref a, ref b, n);
        }
    }

    public static float Run512<TOp>(ref float a, ref float b, int n) where TOp : struct, IPairwiseOperator
    {
        const int W = 16;
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var acc2 = Vector512<float>.Zero;
        var acc3 = Vector512<float>.Zero;
        nuint i = 0;
        nuint len = (nuint)n;
        for (; i + 4 * W <= len; i += 4 * W)
        {
            acc0 = TOp.Step(acc0, Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i));
            acc1 = TOp.Step(acc1, Vector512.LoadUnsafe(ref a, i + W), Vector512.LoadUnsafe(ref b, i + W));
            acc2 = TOp.Step(acc2, Vector512.LoadUnsafe(ref a, i + 2 * W), Vector512.LoadUnsafe(ref b, i + 2 * W));
            acc3 = TOp.Step(acc3, Vector512.LoadUnsafe(ref a, i + 3 * W), Vector512.LoadUnsafe(ref b, i + 3 * W));
        }
        for (; i + W <= len; i += W)
            acc0 = TOp.Step(acc0, Vector512.LoadUnsafe(ref a, i), Vector512.LoadUnsafe(ref b, i));
        if (i < len)
        {
            // Re-read the last full vector and keep only the lanes not yet counted.
            nuint start = len - W;
            var keep = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create((int)(i - start))).AsSingle();
            acc1 = TOp.Step(acc1, Vector512.LoadUnsafe(ref a, start) & keep, Vector512.LoadUnsafe(ref b, start) & keep);
        }
        return Vector512.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    public static float Run256<TOp>(ref float a, ref float b, int n) where TOp : struct, IPairwiseOperator
    {
        const int W = 8;
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var acc3 = Vector256<float>.Zero;
        nuint i = 0;
        nuint len = (nuint)n;
        for (; i + 4 * W <= len; i += 4 * W)
        {
            acc0 = TOp.Step(acc0, Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i));
            acc1 = TOp.Step(acc1, Vector256.LoadUnsafe(ref a, i + W), Vector256.LoadUnsafe(ref b, i + W));
            acc2 = TOp.Step(acc2, Vector256.LoadUnsafe(ref a, i + 2 * W), Vector256.LoadUnsafe(ref b, i + 2 * W));
            acc3 = TOp.Step(acc3, Vector256.LoadUnsafe(ref a, i + 3 * W), Vector256.LoadUnsafe(ref b, i + 3 * W));
        }
        for (; i + W <= len; i += W)
            acc0 = TOp.Step(acc0, Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i));
        if (i < len)
        {
            nuint start = len - W;
            var keep = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create((int)(i - start))).AsSingle();
            acc1 = TOp.Step(acc1, Vector256.LoadUnsafe(ref a, start) & keep, Vector256.LoadUnsafe(ref b, start) & keep);
        }
        return Vector256.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    public static float Run128<TOp>(ref float a, ref float b, int n) where TOp : struct, IPairwiseOperator
    {
        const int W = 4;
        var acc0 = Vector128<float>.Zero;
        var acc1 = Vector128<float>.Zero;
        var acc2 = Vector128<float>.Zero;
        var acc3 = Vector128<float>.Zero;
        nuint i = 0;
        nuint len = (nuint)n;
        for (; i + 4 * W <= len; i += 4 * W)
        {
            acc0 = TOp.Step(acc0, Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i));
            acc1 = TOp.Step(acc1, Vector128.LoadUnsafe(ref a, i + W), Vector128.LoadUnsafe(ref b, i + W));
            acc2 = TOp.Step(acc2, Vector128.LoadUnsafe(ref a, i + 2 * W), Vector128.LoadUnsafe(ref b, i + 2 * W));
            acc3 = TOp.Step(acc3, Vector128.LoadUnsafe(ref a, i + 3 * W), Vector128.LoadUnsafe(ref b, i + 3 * W));
        }
        for (; i + W <= len; i += W)
            acc0 = TOp.Step(acc0, Vector128.LoadUnsafe(ref a, i), Vector128.LoadUnsafe(ref b, i));
        if (i < len)
        {
            nuint start = len - W;
            var keep = Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create((int)(i - start))).AsSingle();
            acc1 = TOp.Step(acc1, Vector128.LoadUnsafe(ref a, start) & keep, Vector128.LoadUnsafe(ref b, start) & keep);
        }
        return Vector128.Sum((acc0 + acc1) + (acc2 + acc3));
    }

    public static float RunScalar<TOp>(ref float a, ref float b, int n) where TOp : struct, IPairwiseOperator
    {
        float acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            acc0 = TOp.Step(acc0, Unsafe.Add(ref a, i), Unsafe.Add(ref b, i));
            acc1 = TOp.Step(acc1, Unsafe.Add(ref a, i + 1), Unsafe.Add(ref b, i + 1));
            acc2 = TOp.Step(acc2, Unsafe.Add(ref a, i + 2), Unsafe.Add(ref b, i + 2));
            acc3 = TOp.Step(acc3, Unsafe.Add(ref a, i + 3), Unsafe.Add(ref b, i + 3));
        }
        for (; i < n; i++)
            acc0 = TOp.Step(acc0, Unsafe.Add(ref a, i), Unsafe.Add(ref b, i));
        return (acc0 + acc1) + (acc2 + acc3);
    }

    /// <summary>
    /// One query against <paramref name="results"/>.Length rows laid out every <paramref name="rowStride"/>
    /// floats (the scan hot path). The width is chosen once, outside the row loop.
    /// </summary>
    public static void RunMany<TOp>(ReadOnlySpan<float> query, ReadOnlySpan<float> rows, int rowStride, Span<float> results)
        where TOp : struct, IPairwiseOperator
    {
        int dim = query.Length;
        int count = results.Length;
        if (count == 0)
            return;
        if (rowStride < dim)
            throw new ArgumentOutOfRangeException(nameof(rowStride), rowStride, $"row stride must be at least the dimension ({dim})");
        long needed = (long)(count - 1) * rowStride + dim;
        if (rows.Length < needed)
            throw new ArgumentException($"rows holds {rows.Length} floats; {count} rows of stride {rowStride} and dimension {dim} need {needed}", nameof(rows));

        ref float q = ref MemoryMarshal.GetReference(query);
        ref float r = ref MemoryMarshal.GetReference(rows);
        ref float o = ref MemoryMarshal.GetReference(results);
        if (Vector512.IsHardwareAccelerated && dim >= Vector512<float>.Count)
        {
            for (int i = 0; i < count; i++)
                Unsafe.Add(ref o, i) = Run512<TOp>(ref q, ref Unsafe.Add(ref r, (nint)i * rowStride), dim);
        }
        else if (Vector256.IsHardwareAccelerated && dim >= Vector256<float>.Count)
        {
            for (int i = 0; i < count; i++)
                Unsafe.Add(ref o, i) = Run256<TOp>(ref q, ref Unsafe.Add(ref r, (nint)i * rowStride), dim);
        }
        else if (Vector128.IsHardwareAccelerated && dim >= Vector128<float>.Count)
        {
            for (int i = 0; i < count; i++)
                Unsafe.Add(ref o, i) = Run128<TOp>(ref q, ref Unsafe.Add(ref r, (nint)i * rowStride), dim);
        }
        else
        {
            for (int i = 0; i < count; i++)
                Unsafe.Add(ref o, i) = RunScalar<TOp>(ref q, ref Unsafe.Add(ref r, (nint)i * rowStride), dim);
        }
    }

    internal static void ThrowLengthMismatch(int a, int b) =>
        throw new ArgumentException($"vector lengths differ: {a} and {b}");
}
