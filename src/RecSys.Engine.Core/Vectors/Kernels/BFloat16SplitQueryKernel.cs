using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// A float32 query against a bfloat16 row (<see cref="BFloat16"/> bits), with the query split once into its even
/// and odd elements (<see cref="Split"/>) so that the row is read as 32-bit words, two elements each:
/// <code>
///   row words  [ e0 o0 | e1 o1 | ... ]   (little endian: the even element in the low half)
///   low half   word &lt;&lt; 16          = the even elements as float32, matched with even[]
///   high half  word &amp; 0xFFFF0000    = the odd elements as float32, matched with odd[]
/// </code>
/// Why a second loop beside <see cref="PairwiseKernel"/> with <see cref="BFloat16RowLoader"/>: that loader widens
/// 16-bit lanes to 32 (vpmovzxwd, a shuffle) before its shift, and at 96-384 dimensions the shuffle unit, not the
/// memory, bounds the bf16 walk. Here each vector of words costs one shift and one AND, no shuffle, for two steps
/// (1.22x the widening loop per call on an AVX-512 EPYC, in one process against a copy of itself; kernels.md).
/// The split is per query (HNSW does it once per search), so it pays off only when one query meets many rows.
/// Same ladder, four accumulators and overlapping masked tail as <see cref="PairwiseKernel"/>; the widened values
/// are exact, so the only rounding is the float32 accumulation (in another order than the widening loop's).
/// </summary>
internal static class BFloat16SplitQueryKernel
{
    /// <summary>Elements of the even half of an <paramref name="n"/>-element query (the odd half has n / 2).</summary>
    public static int EvenLength(int n) => (n + 1) >> 1;

    /// <summary>
    /// even[j] = query[2j], odd[j] = query[2j + 1]; for an odd length the last element goes to even[n / 2], and
    /// <see cref="Run{TOp}(ref float, ref float, ref ushort, int)"/> adds it with one scalar step.
    /// </summary>
    public static void Split(ReadOnlySpan<float> query, Span<float> even, Span<float> odd)
    {
        int n = query.Length;
        if (even.Length < EvenLength(n) || odd.Length < n >> 1)
            throw new ArgumentException($"a {n}-element query splits into {EvenLength(n)} even and {n >> 1} odd elements; got room for {even.Length} and {odd.Length}");
        int pairs = n >> 1;
        for (int j = 0; j < pairs; j++)
        {
            even[j] = query[2 * j];
            odd[j] = query[2 * j + 1];
        }
        if ((n & 1) != 0)
            even[pairs] = query[n - 1];
    }

    /// <summary>The widest accelerated rung that fits the row's n / 2 words (the production path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Run<TOp>(ref float even, ref float odd, ref ushort row, int n) where TOp : struct, IPairwiseOperator
    {
        int words = n >> 1;
        float sum;
        if (Vector512.IsHardwareAccelerated && words >= Vector512<float>.Count)
            sum = Accumulate<Vector512<float>, TOp>(ref even, ref odd, ref row, words);
        else if (Vector256.IsHardwareAccelerated && words >= Vector256<float>.Count)
            sum = Accumulate<Vector256<float>, TOp>(ref even, ref odd, ref row, words);
        else if (Vector128.IsHardwareAccelerated && words >= Vector128<float>.Count)
            sum = Accumulate<Vector128<float>, TOp>(ref even, ref odd, ref row, words);
        else
            sum = Accumulate<float, TOp>(ref even, ref odd, ref row, words);
        return (n & 1) == 0 ? sum : LastElement<TOp>(sum, ref even, ref row, n);
    }

    /// <summary>Runs exactly the named path (tests and benchmarks); rows of fewer words drop to the next rung.</summary>
    public static float Run<TOp>(ReadOnlySpan<float> even, ReadOnlySpan<float> odd, ReadOnlySpan<ushort> row, SimdPath path) where TOp : struct, IPairwiseOperator
    {
        int n = row.Length;
        if (even.Length != EvenLength(n) || odd.Length != n >> 1)
            throw new ArgumentException($"a {n}-element row needs a query split into {EvenLength(n)} even and {n >> 1} odd elements; got {even.Length} and {odd.Length}");
        ref float e = ref MemoryMarshal.GetReference(even);
        ref float o = ref MemoryMarshal.GetReference(odd);
        ref ushort r = ref MemoryMarshal.GetReference(row);
        if (path == SimdPath.Auto)
            return Run<TOp>(ref e, ref o, ref r, n);
        int words = n >> 1;
        float sum = path switch
        {
            SimdPath.Vector512 when words >= Vector512<float>.Count => Accumulate<Vector512<float>, TOp>(ref e, ref o, ref r, words),
            SimdPath.Vector512 or SimdPath.Vector256 when words >= Vector256<float>.Count => Accumulate<Vector256<float>, TOp>(ref e, ref o, ref r, words),
            SimdPath.Vector512 or SimdPath.Vector256 or SimdPath.Vector128 when words >= Vector128<float>.Count => Accumulate<Vector128<float>, TOp>(ref e, ref o, ref r, words),
            _ => Accumulate<float, TOp>(ref e, ref o, ref r, words),
        };
        return (n & 1) == 0 ? sum : LastElement<TOp>(sum, ref e, ref r, n);
    }

    /// <summary>The element an odd length leaves after the last word: one scalar step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float LastElement<TOp>(float sum, ref float even, ref ushort row, int n) where TOp : struct, IPairwiseOperator =>
        TOp.Step(sum, Unsafe.Add(ref even, n >> 1), BFloat16.ToSingle(Unsafe.Add(ref row, n - 1)));

    /// <summary>The loop: one rung, <paramref name="words"/> &gt;= its lanes (any count on the scalar rung).</summary>
    private static float Accumulate<TVector, TOp>(ref float even, ref float odd, ref ushort row, int words)
        where TVector : struct
        where TOp : struct, IPairwiseOperator
    {
        // The words are loaded as float32 bit patterns and only shifted or masked as integers before any arithmetic.
        ref float w32 = ref Unsafe.As<ushort, float>(ref row);
        nuint w = VectorWidth.Lanes<TVector>();
        TVector acc0 = default, acc1 = default, acc2 = default, acc3 = default;
        nuint i = 0;
        nuint len = (nuint)words;
        for (; i + 2 * w <= len; i += 2 * w)
        {
            var words0 = VectorWidth.Load<TVector, Float32RowLoader, float>(ref w32, i);
            var words1 = VectorWidth.Load<TVector, Float32RowLoader, float>(ref w32, i + w);
            acc0 = VectorWidth.Step<TVector, TOp>(acc0, VectorWidth.Load<TVector, Float32RowLoader, float>(ref even, i), VectorWidth.BFloat16LowHalf(words0));
            acc1 = VectorWidth.Step<TVector, TOp>(acc1, VectorWidth.Load<TVector, Float32RowLoader, float>(ref odd, i), VectorWidth.BFloat16HighHalf(words0));
            acc2 = VectorWidth.Step<TVector, TOp>(acc2, VectorWidth.Load<TVector, Float32RowLoader, float>(ref even, i + w), VectorWidth.BFloat16LowHalf(words1));
            acc3 = VectorWidth.Step<TVector, TOp>(acc3, VectorWidth.Load<TVector, Float32RowLoader, float>(ref odd, i + w), VectorWidth.BFloat16HighHalf(words1));
        }
        for (; i + w <= len; i += w)
        {
            var words0 = VectorWidth.Load<TVector, Float32RowLoader, float>(ref w32, i);
            acc0 = VectorWidth.Step<TVector, TOp>(acc0, VectorWidth.Load<TVector, Float32RowLoader, float>(ref even, i), VectorWidth.BFloat16LowHalf(words0));
            acc1 = VectorWidth.Step<TVector, TOp>(acc1, VectorWidth.Load<TVector, Float32RowLoader, float>(ref odd, i), VectorWidth.BFloat16HighHalf(words0));
        }
        if (w > 1 && i < len)
        {
            // Re-read the last full vector of words and of both query halves, with the words already counted zeroed.
            nuint start = len - w;
            var keep = VectorWidth.KeepMask<TVector>((int)(i - start));
            var words0 = VectorWidth.And(VectorWidth.Load<TVector, Float32RowLoader, float>(ref w32, start), keep);
            acc2 = VectorWidth.Step<TVector, TOp>(acc2, VectorWidth.And(VectorWidth.Load<TVector, Float32RowLoader, float>(ref even, start), keep), VectorWidth.BFloat16LowHalf(words0));
            acc3 = VectorWidth.Step<TVector, TOp>(acc3, VectorWidth.And(VectorWidth.Load<TVector, Float32RowLoader, float>(ref odd, start), keep), VectorWidth.BFloat16HighHalf(words0));
        }
        return VectorWidth.Sum(acc0, acc1, acc2, acc3);
    }
}
