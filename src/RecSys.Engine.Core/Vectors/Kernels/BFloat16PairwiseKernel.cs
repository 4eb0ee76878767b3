using System.Runtime.CompilerServices;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// A float32 query against a row stored as bfloat16 (<see cref="BFloat16"/>): <see cref="PairwiseKernel"/> with
/// <see cref="BFloat16RowLoader"/>. Each step reads half the row bytes of the float32 kernel and widens them exactly,
/// so the only rounding is the float32 accumulation; the tail is the same masked overlapping load.
/// <para>
/// No serving path calls it since the HNSW bf16 walk moved to <see cref="BFloat16SplitQueryKernel"/> (which needs
/// the query split first, so pays off only when one query meets many rows). It stays as the one-call form that takes
/// the query as it is, as the baseline `bench bf16-key-ab` and the split kernel's tests compare against, and as the
/// example of a second <see cref="IRowLoader{TElement}"/> for the one pairwise loop.
/// </para>
/// </summary>
internal static class BFloat16PairwiseKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Run<TOp>(ref float a, ref ushort b, int n) where TOp : struct, IPairwiseOperator =>
        PairwiseKernel.Run<BFloat16RowLoader, ushort, TOp>(ref a, ref b, n);

    /// <summary>Runs exactly the named path (tests and benchmarks); shorter inputs drop to the next rung.</summary>
    public static float Run<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<ushort> y, SimdPath path) where TOp : struct, IPairwiseOperator =>
        PairwiseKernel.Run<BFloat16RowLoader, ushort, TOp>(x, y, path);
}
