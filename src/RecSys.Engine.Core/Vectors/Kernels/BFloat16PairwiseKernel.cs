using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// <see cref="PairwiseKernel"/> with the second operand stored as bfloat16 (<see cref="BFloat16"/>): a float32
/// query against a bf16 row. Each step loads half as many row bytes, widens them (zero-extend 16 -> 32 bits,
/// shift left 16: exact) and runs the same <see cref="IPairwiseOperator"/> step on floats.
/// <code>
///   Run  ->  Vector512 (when accelerated, n >= 16) -> Vector256 (n >= 8) -> Vector128 (n >= 4) -> scalar
/// </code>
/// Four accumulators per wide path, then a one-vector loop, then a scalar tail (rows are short and the tail
/// is at most a vector's lanes minus one).
/// </summary>
internal static class BFloat16PairwiseKernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Run<TOp>(ref float a, ref ushort b, int n) where TOp : struct, IPairwiseOperator
    {
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
            return Run512<TOp>(ref a, ref b, n);
        if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
            return Run256<TOp>(ref a, ref b, n);
        if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
            return Run128<TOp>(ref a, ref b, n);
        return RunScalar<TOp>(ref a, ref b, n, 0, 0);
    }

    /// <summary>Runs exactly the named path (tests and benchmarks); shorter inputs drop to the next rung.</summary>
    public static float Run<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<ushort> y, SimdPath path) where TOp : struct, IPairwiseOperator
    {
        if (x.Length != y.Length)
            PairwiseKernel.ThrowLengthMismatch(x.Length, y.Length);
        ref float a = ref MemoryMarshal.GetReference(x);
        ref ushort b = ref MemoryMarshal.GetReference(y);
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
                return RunScalar<TOp>(ref a, ref b, n, 0, 0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load512(ref ushort b, nuint i) =>
        Vector512.ShiftLeft(Vector512.WidenLower(Vector256.LoadUnsafe(ref b, i).ToVector512Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load256(ref ushort b, nuint i) =>
        Vector256.ShiftLeft(Vector256.WidenLower(Vector128.LoadUnsafe(ref b, i).ToVector256Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Load128(ref ushort b, nuint i) =>
        Vector128.ShiftLeft(Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref b, i)))).AsUInt16()), 16).AsSingle();

    public static float Run512<TOp>(ref float a, ref ushort b, int n) where TOp : struct, IPairwiseOperator
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
            acc0 = TOp.Step(acc0, Vector512.LoadUnsafe(ref a, i), Load512(ref b, i));
            acc1 = TOp.Step(acc1, Vector512.LoadUnsafe(ref a, i + W), Load512(ref b, i + W));
            acc2 = TOp.Step(acc2, Vector512.LoadUnsafe(ref a, i + 2 * W), Load512(ref b, i + 2 * W));
            acc3 = TOp.Step(acc3, Vector512.LoadUnsafe(ref a, i + 3 * W), Load512(ref b, i + 3 * W));
        }
        for (; i + W <= len; i += W)
            acc0 = TOp.Step(acc0, Vector512.LoadUnsafe(ref a, i), Load512(ref b, i));
        float sum = Vector512.Sum((acc0 + acc1) + (acc2 + acc3));
        return i < len ? RunScalar<TOp>(ref a, ref b, n, (int)i, sum) : sum;
    }

    public static float Run256<TOp>(ref float a, ref ushort b, int n) where TOp : struct, IPairwiseOperator
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
            acc0 = TOp.Step(acc0, Vector256.LoadUnsafe(ref a, i), Load256(ref b, i));
            acc1 = TOp.Step(acc1, Vector256.LoadUnsafe(ref a, i + W), Load256(ref b, i + W));
            acc2 = TOp.Step(acc2, Vector256.LoadUnsafe(ref a, i + 2 * W), Load256(ref b, i + 2 * W));
            acc3 = TOp.Step(acc3, Vector256.LoadUnsafe(ref a, i + 3 * W), Load256(ref b, i + 3 * W));
        }
        for (; i + W <= len; i += W)
            acc0 = TOp.Step(acc0, Vector256.LoadUnsafe(ref a, i), Load256(ref b, i));
        float sum = Vector256.Sum((acc0 + acc1) + (acc2 + acc3));
        return i < len ? RunScalar<TOp>(ref a, ref b, n, (int)i, sum) : sum;
    }

    public static float Run128<TOp>(ref float a, ref ushort b, int n) where TOp : struct, IPairwiseOperator
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
            acc0 = TOp.Step(acc0, Vector128.LoadUnsafe(ref a, i), Load128(ref b, i));
            acc1 = TOp.Step(acc1, Vector128.LoadUnsafe(ref a, i + W), Load128(ref b, i + W));
            acc2 = TOp.Step(acc2, Vector128.LoadUnsafe(ref a, i + 2 * W), Load128(ref b, i + 2 * W));
            acc3 = TOp.Step(acc3, Vector128.LoadUnsafe(ref a, i + 3 * W), Load128(ref b, i + 3 * W));
        }
        for (; i + W <= len; i += W)
            acc0 = TOp.Step(acc0, Vector128.LoadUnsafe(ref a, i), Load128(ref b, i));
        float sum = Vector128.Sum((acc0 + acc1) + (acc2 + acc3));
        return i < len ? RunScalar<TOp>(ref a, ref b, n, (int)i, sum) : sum;
    }

    /// <summary>Scalar loop over [start, n), added to <paramref name="sum"/> (the whole row when start = 0).</summary>
    public static float RunScalar<TOp>(ref float a, ref ushort b, int n, int start, float sum) where TOp : struct, IPairwiseOperator
    {
        float acc0 = sum, acc1 = 0, acc2 = 0, acc3 = 0;
        int i = start;
        for (; i + 4 <= n; i += 4)
        {
            acc0 = TOp.Step(acc0, Unsafe.Add(ref a, i), BFloat16.ToSingle(Unsafe.Add(ref b, i)));
            acc1 = TOp.Step(acc1, Unsafe.Add(ref a, i + 1), BFloat16.ToSingle(Unsafe.Add(ref b, i + 1)));
            acc2 = TOp.Step(acc2, Unsafe.Add(ref a, i + 2), BFloat16.ToSingle(Unsafe.Add(ref b, i + 2)));
            acc3 = TOp.Step(acc3, Unsafe.Add(ref a, i + 3), BFloat16.ToSingle(Unsafe.Add(ref b, i + 3)));
        }
        for (; i < n; i++)
            acc0 = TOp.Step(acc0, Unsafe.Add(ref a, i), BFloat16.ToSingle(Unsafe.Add(ref b, i)));
        return (acc0 + acc1) + (acc2 + acc3);
    }
}
