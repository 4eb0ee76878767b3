using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// The rungs of the SIMD ladder as a type parameter: <c>TVector</c> is <see cref="Vector512{T}"/>,
/// <see cref="Vector256{T}"/> or <see cref="Vector128{T}"/> of float, or <c>float</c> itself for the scalar rung.
/// <see cref="PairwiseKernel"/>'s loop is written once over <c>TVector</c>; this table is the only code that names
/// a width, each member handing its arguments to the Vector512 / 256 / 128 / scalar API, loader or operator.
/// <para>
/// <c>typeof(TVector) == typeof(...)</c> is a constant in code the JIT specialises for a struct type argument, so
/// each specialisation keeps one branch, and its BitCasts go from a type to itself (no instructions). A table of
/// typeof tests rather than one struct per width: .NET 10 keeps its generic vector interface (ISimdVector) internal,
/// and a struct per width would restate every member four times.
/// </para>
/// </summary>
internal static class VectorWidth
{
    /// <summary>float lanes in one <typeparamref name="TVector"/>: 16, 8, 4, or 1 for the scalar rung.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint Lanes<TVector>() where TVector : struct => (nuint)(Unsafe.SizeOf<TVector>() / sizeof(float));

    /// <summary>Lanes' worth of elements from <paramref name="index"/>, widened by <typeparamref name="TLoader"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TVector, TLoader, TElement>(ref TElement source, nuint index)
        where TVector : struct
        where TLoader : struct, IRowLoader<TElement>
    {
        if (typeof(TVector) == typeof(Vector512<float>))
            return Unsafe.BitCast<Vector512<float>, TVector>(TLoader.Load512(ref source, index));
        if (typeof(TVector) == typeof(Vector256<float>))
            return Unsafe.BitCast<Vector256<float>, TVector>(TLoader.Load256(ref source, index));
        if (typeof(TVector) == typeof(Vector128<float>))
            return Unsafe.BitCast<Vector128<float>, TVector>(TLoader.Load128(ref source, index));
        return Unsafe.BitCast<float, TVector>(TLoader.Load(ref source, index));
    }

    /// <summary><typeparamref name="TOp"/>'s step at this width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Step<TVector, TOp>(TVector acc, TVector a, TVector b)
        where TVector : struct
        where TOp : struct, IPairwiseOperator
    {
        if (typeof(TVector) == typeof(Vector512<float>))
            return Unsafe.BitCast<Vector512<float>, TVector>(TOp.Step(Unsafe.BitCast<TVector, Vector512<float>>(acc), Unsafe.BitCast<TVector, Vector512<float>>(a), Unsafe.BitCast<TVector, Vector512<float>>(b)));
        if (typeof(TVector) == typeof(Vector256<float>))
            return Unsafe.BitCast<Vector256<float>, TVector>(TOp.Step(Unsafe.BitCast<TVector, Vector256<float>>(acc), Unsafe.BitCast<TVector, Vector256<float>>(a), Unsafe.BitCast<TVector, Vector256<float>>(b)));
        if (typeof(TVector) == typeof(Vector128<float>))
            return Unsafe.BitCast<Vector128<float>, TVector>(TOp.Step(Unsafe.BitCast<TVector, Vector128<float>>(acc), Unsafe.BitCast<TVector, Vector128<float>>(a), Unsafe.BitCast<TVector, Vector128<float>>(b)));
        return Unsafe.BitCast<float, TVector>(TOp.Step(Unsafe.BitCast<TVector, float>(acc), Unsafe.BitCast<TVector, float>(a), Unsafe.BitCast<TVector, float>(b)));
    }

    /// <summary>
    /// All ones in lanes [<paramref name="firstKept"/>, lanes), zeros below: ANDed into both operands of the masked
    /// tail, so the lanes already counted reach the step as +0 in both (and add nothing, see <see cref="IPairwiseOperator"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector KeepMask<TVector>(int firstKept) where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
            return Unsafe.BitCast<Vector512<float>, TVector>(Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(firstKept)).AsSingle());
        if (typeof(TVector) == typeof(Vector256<float>))
            return Unsafe.BitCast<Vector256<float>, TVector>(Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(firstKept)).AsSingle());
        if (typeof(TVector) == typeof(Vector128<float>))
            return Unsafe.BitCast<Vector128<float>, TVector>(Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(firstKept)).AsSingle());
        return Unsafe.BitCast<int, TVector>(firstKept > 0 ? 0 : -1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector And<TVector>(TVector value, TVector mask) where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
            return Unsafe.BitCast<Vector512<float>, TVector>(Unsafe.BitCast<TVector, Vector512<float>>(value) & Unsafe.BitCast<TVector, Vector512<float>>(mask));
        if (typeof(TVector) == typeof(Vector256<float>))
            return Unsafe.BitCast<Vector256<float>, TVector>(Unsafe.BitCast<TVector, Vector256<float>>(value) & Unsafe.BitCast<TVector, Vector256<float>>(mask));
        if (typeof(TVector) == typeof(Vector128<float>))
            return Unsafe.BitCast<Vector128<float>, TVector>(Unsafe.BitCast<TVector, Vector128<float>>(value) & Unsafe.BitCast<TVector, Vector128<float>>(mask));
        return Unsafe.BitCast<int, TVector>(Unsafe.BitCast<TVector, int>(value) & Unsafe.BitCast<TVector, int>(mask));
    }

    /// <summary>
    /// Each 32-bit lane of <paramref name="words"/> holds two bfloat16 values (two adjacent row elements, the even
    /// one in the low half): the even one as float32, i.e. the lane shifted left by 16 bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector BFloat16LowHalf<TVector>(TVector words) where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
            return Unsafe.BitCast<Vector512<float>, TVector>(Vector512.ShiftLeft(Unsafe.BitCast<TVector, Vector512<uint>>(words), 16).AsSingle());
        if (typeof(TVector) == typeof(Vector256<float>))
            return Unsafe.BitCast<Vector256<float>, TVector>(Vector256.ShiftLeft(Unsafe.BitCast<TVector, Vector256<uint>>(words), 16).AsSingle());
        if (typeof(TVector) == typeof(Vector128<float>))
            return Unsafe.BitCast<Vector128<float>, TVector>(Vector128.ShiftLeft(Unsafe.BitCast<TVector, Vector128<uint>>(words), 16).AsSingle());
        return Unsafe.BitCast<uint, TVector>(Unsafe.BitCast<TVector, uint>(words) << 16);
    }

    /// <summary>As <see cref="BFloat16LowHalf{TVector}"/>, the odd element (the high half): the lane with its low 16 bits cleared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector BFloat16HighHalf<TVector>(TVector words) where TVector : struct
    {
        const uint high = 0xFFFF0000u;
        if (typeof(TVector) == typeof(Vector512<float>))
            return Unsafe.BitCast<Vector512<float>, TVector>((Unsafe.BitCast<TVector, Vector512<uint>>(words) & Vector512.Create(high)).AsSingle());
        if (typeof(TVector) == typeof(Vector256<float>))
            return Unsafe.BitCast<Vector256<float>, TVector>((Unsafe.BitCast<TVector, Vector256<uint>>(words) & Vector256.Create(high)).AsSingle());
        if (typeof(TVector) == typeof(Vector128<float>))
            return Unsafe.BitCast<Vector128<float>, TVector>((Unsafe.BitCast<TVector, Vector128<uint>>(words) & Vector128.Create(high)).AsSingle());
        return Unsafe.BitCast<uint, TVector>(Unsafe.BitCast<TVector, uint>(words) & high);
    }

    /// <summary>The four accumulators folded pairwise, then across lanes: one fixed order per width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum<TVector>(TVector acc0, TVector acc1, TVector acc2, TVector acc3) where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
            return Vector512.Sum((Unsafe.BitCast<TVector, Vector512<float>>(acc0) + Unsafe.BitCast<TVector, Vector512<float>>(acc1)) + (Unsafe.BitCast<TVector, Vector512<float>>(acc2) + Unsafe.BitCast<TVector, Vector512<float>>(acc3)));
        if (typeof(TVector) == typeof(Vector256<float>))
            return Vector256.Sum((Unsafe.BitCast<TVector, Vector256<float>>(acc0) + Unsafe.BitCast<TVector, Vector256<float>>(acc1)) + (Unsafe.BitCast<TVector, Vector256<float>>(acc2) + Unsafe.BitCast<TVector, Vector256<float>>(acc3)));
        if (typeof(TVector) == typeof(Vector128<float>))
            return Vector128.Sum((Unsafe.BitCast<TVector, Vector128<float>>(acc0) + Unsafe.BitCast<TVector, Vector128<float>>(acc1)) + (Unsafe.BitCast<TVector, Vector128<float>>(acc2) + Unsafe.BitCast<TVector, Vector128<float>>(acc3)));
        return (Unsafe.BitCast<TVector, float>(acc0) + Unsafe.BitCast<TVector, float>(acc1)) + (Unsafe.BitCast<TVector, float>(acc2) + Unsafe.BitCast<TVector, float>(acc3));
    }
}
