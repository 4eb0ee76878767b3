using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>float32 rows: plain unaligned loads, nothing to widen. Also loads the query side of every kernel.</summary>
internal readonly struct Float32RowLoader : IRowLoader<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref float row, nuint index) => Unsafe.Add(ref row, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load128(ref float row, nuint index) => Vector128.LoadUnsafe(ref row, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(ref float row, nuint index) => Vector256.LoadUnsafe(ref row, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(ref float row, nuint index) => Vector512.LoadUnsafe(ref row, index);
}
