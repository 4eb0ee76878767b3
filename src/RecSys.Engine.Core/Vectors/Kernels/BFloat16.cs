using System.Runtime.CompilerServices;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// bfloat16 as raw ushort bits: the top 16 bits of a float32 (sign, the full 8-bit exponent, 7 mantissa bits).
/// Widening back is a 16-bit shift, exact and one instruction per vector, which is why a bf16 copy of the rows
/// can be scored almost as cheaply as the float32 rows while reading half the bytes. The relative error of one
/// value is at most 2^-8 (8 significant bits, round to nearest even).
/// </summary>
public static class BFloat16
{
    /// <summary>Rounds to the nearest bf16, ties to even. NaN stays NaN (quiet); infinities stay infinite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
            return (ushort)((bits >> 16) | 0x0040); // NaN: keep it NaN even when the low bits held the payload
        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    /// <summary>destination[i] = FromSingle(source[i]).</summary>
    public static void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"destination holds {destination.Length} values; the source has {source.Length}", nameof(destination));
        for (int i = 0; i < source.Length; i++)
            destination[i] = FromSingle(source[i]);
    }
}
