using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// The one loop behind every pairwise reduction: a float32 query against a row of any element type, written once
/// and specialised by the JIT for each (width, row loader, operator).
/// <code>
///   DotProduct / SquaredL2 ---- Float32RowLoader --.
///   BFloat16PairwiseKernel ---- BFloat16RowLoader -+--> Run (the ladder) --> Accumulate&lt;TVector&gt;, TVector =
///   (another element type: one more IRowLoader)   -'      Vector512 (when accelerated, n >= 16)
///                                                         Vector256 (n >= 8)
///   operator: DotOperator | SquaredL2Operator             Vector128 (n >= 4)
///                                                         float     (the scalar rung)
/// </code>
/// Each rung keeps four independent accumulators (FMA latency is 4 cycles with two ports, so one accumulator would
/// leave the units idle), then a one-vector loop, then one overlapping load of the last full vector with the lanes
/// already counted zeroed, instead of a scalar remainder loop. The scalar rung is the same loop with one lane.
/// </summary>
internal static class PairwiseKernel
{
    /// <summary>The widest accelerated rung that fits <paramref name="n"/> elements (the production path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Run<TLoader, TElement, TOp>(ref float query, ref TElement row, int n)
        where TLoader : struct, IRowLoader<TElement>
        where TOp : struct, IPairwiseOperator
    {
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
            return Accumulate<Vector512<float>, TLoader, TElement, TOp>(ref query, ref row, n);
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
            return Accumulate<Vector256<float>, TLoader, TElement, TOp>(ref query, ref row, n);
        if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
            return Accumulate<Vector128<float>, TLoader, TElement, TOp>(ref query, ref row, n);
        return Accumulate<float, TLoader, TElement, TOp>(ref query, ref row, n);
    }

    /// <summary>Runs exactly the named path (tests and benchmarks); shorter inputs drop to the next rung.</summary>
    public static float Run<TLoader, TElement, TOp>(ReadOnlySpan<float> query, ReadOnlySpan<TElement> row, SimdPath path)
        where TLoader : struct, IRowLoader<TElement>
        where TOp : struct, IPairwiseOperator
    {
        if (query.Length != row.Length)
            ThrowLengthMismatch(query.Length, row.Length);
        ref float q = ref MemoryMarshal.GetReference(query);
        ref TElement r = ref MemoryMarshal.GetReference(row);
        int n = query.Length;
        switch (path)
        {
            case SimdPath.Auto:
                return Run<TLoader, TElement, TOp>(ref q, ref r, n);
            case SimdPath.Vector512:
                if (n >= Vector512<float>.Count)
                    return Accumulate<Vector512<float>, TLoader, TElement, TOp>(ref q, ref r, n);
                goto case SimdPath.Vector256;
            case SimdPath.Vector256:
                if (n >= Vector256<float>.Count)
                    return Accumulate<Vector256<float>, TLoader, TElement, TOp>(ref q, ref r, n);
                goto case SimdPath.Vector128;
            case SimdPath.Vector128:
                if (n >= Vector128<float>.Count)
                    return Accumulate<Vector128<float>, TLoader, TElement, TOp>(ref q, ref r, n);
                goto default;
            default:
                return Accumulate<float, TLoader, TElement, TOp>(ref q, ref r, n);
        }
    }

    /// <summary>
    /// One query against <paramref name="results"/>.Length rows laid out every <paramref name="rowStride"/>
    /// elements (the scan hot path). The rung is chosen once, outside the row loop, as <see cref="Run{TLoader, TElement, TOp}(ref float, ref TElement, int)"/> chooses it.
    /// </summary>
    public static void RunMany<TLoader, TElement, TOp>(ReadOnlySpan<float> query, ReadOnlySpan<TElement> rows, int rowStride, Span<float> results)
        where TLoader : struct, IRowLoader<TElement>
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
            throw new ArgumentException($"rows holds {rows.Length} values; {count} rows of stride {rowStride} and dimension {dim} need {needed}", nameof(rows));

        ref float q = ref MemoryMarshal.GetReference(query);
        ref TElement r = ref MemoryMarshal.GetReference(rows);
        ref float o = ref MemoryMarshal.GetReference(results);
        if (Vector512.IsHardwareAccelerated && dim >= Vector512<float>.Count)
            AccumulateRows<Vector512<float>, TLoader, TElement, TOp>(ref q, ref r, dim, rowStride, ref o, count);
        else if (Vector256.IsHardwareAccelerated && dim >= Vector256<float>.Count)
            AccumulateRows<Vector256<float>, TLoader, TElement, TOp>(ref q, ref r, dim, rowStride, ref o, count);
        else if (Vector128.IsHardwareAccelerated && dim >= Vector128<float>.Count)
            AccumulateRows<Vector128<float>, TLoader, TElement, TOp>(ref q, ref r, dim, rowStride, ref o, count);
        else
            AccumulateRows<float, TLoader, TElement, TOp>(ref q, ref r, dim, rowStride, ref o, count);
    }

    /// <summary>The loop: one rung, <paramref name="n"/> &gt;= its lanes (any n on the scalar rung).</summary>
    private static float Accumulate<TVector, TLoader, TElement, TOp>(ref float query, ref TElement row, int n)
        where TVector : struct
        where TLoader : struct, IRowLoader<TElement>
        where TOp : struct, IPairwiseOperator
    {
        nuint w = VectorWidth.Lanes<TVector>();
        TVector acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        nuint i = 0;
        nuint len = (nuint)n;
        for (; i + 4 * w <= len; i += 4 * w)
        {
            acc0 = StepAt<TVector, TLoader, TElement, TOp>(acc0, ref query, ref row, i, 0);
            acc1 = StepAt<TVector, TLoader, TElement, TOp>(acc1, ref query, ref row, i, 1);
            acc2 = StepAt<TVector, TLoader, TElement, TOp>(acc2, ref query, ref row, i, 2);
            acc3 = StepAt<TVector, TLoader, TElement, TOp>(acc3, ref query, ref row, i, 3);
        }
        for (; i + w <= len; i += w)
            acc0 = StepAt<TVector, TLoader, TElement, TOp>(acc0, ref query, ref row, i, 0);
        if (w > 1 && i < len)
        {
            // Re-read the last full vector of both operands and zero, in both, the lanes already counted.
            nuint start = len - w;
            var keep = VectorWidth.KeepMask<TVector>((int)(i - start));
            var b = VectorWidth.And(VectorWidth.Load<TVector, TLoader, TElement>(ref row, start), keep);
            var a = VectorWidth.And(VectorWidth.Load<TVector, Float32RowLoader, float>(ref query, start), keep);
            acc1 = VectorWidth.Step<TVector, TOp>(acc1, a, b);
        }
        return VectorWidth.Sum(acc0, acc1, acc2, acc3);
    }

    /// <summary>
    /// <paramref name="acc"/> stepped with the query and the row at vector <paramref name="block"/> past
    /// <paramref name="index"/>. The offset is spelled out from the constant lane count, not passed in as a variable,
    /// so the JIT folds it into both loads' addresses (as a hand-written <c>i + 16</c> would be); the row is loaded
    /// first because that ordering gives the bf16 loop the same register use as the hand-written loop had.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector StepAt<TVector, TLoader, TElement, TOp>(TVector acc, ref float query, ref TElement row, nuint index, nuint block)
        where TVector : struct
        where TLoader : struct, IRowLoader<TElement>
        where TOp : struct, IPairwiseOperator
    {
        var b = VectorWidth.Load<TVector, TLoader, TElement>(ref row, index + block * VectorWidth.Lanes<TVector>());
        var a = VectorWidth.Load<TVector, Float32RowLoader, float>(ref query, index + block * VectorWidth.Lanes<TVector>());
        return VectorWidth.Step<TVector, TOp>(acc, a, b);
    }

    private static void AccumulateRows<TVector, TLoader, TElement, TOp>(ref float query, ref TElement rows, int dim, int rowStride, ref float results, int count)
        where TVector : struct
        where TLoader : struct, IRowLoader<TElement>
        where TOp : struct, IPairwiseOperator
    {
        for (int i = 0; i < count; i++)
            Unsafe.Add(ref results, i) = Accumulate<TVector, TLoader, TElement, TOp>(ref query, ref Unsafe.Add(ref rows, (nint)i * rowStride), dim);
    }

    internal static void ThrowLengthMismatch(int a, int b) =>
        throw new ArgumentException($"vector lengths differ: {a} and {b}");
}
