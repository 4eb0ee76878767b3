using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// bfloat16 rows (<see cref="BFloat16"/> bits as ushort): load half the bytes of a float32 row, zero-extend each
/// 16-bit value to 32 bits and shift it into the top half. Exact, one shift per vector after the widening load.
/// </summary>
internal readonly struct BFloat16RowLoader : IRowLoader<ushort>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(ref ushort row, nuint index) => BFloat16.ToSingle(Unsafe.Add(ref row, index));

    /// <remarks>Four values are 8 bytes: one 64-bit read, so the load never touches the element after them.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load128(ref ushort row, nuint index) =>
        Vector128.ShiftLeft(Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref row, index)))).AsUInt16()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(ref ushort row, nuint index) =>
        Vector256.ShiftLeft(Vector256.WidenLower(Vector128.LoadUnsafe(ref row, index).ToVector256Unsafe()), 16).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(ref ushort row, nuint index) =>
        Vector512.ShiftLeft(Vector512.WidenLower(Vector256.LoadUnsafe(ref row, index).ToVector512Unsafe()), 16).AsSingle();
}
