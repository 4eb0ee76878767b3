using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// How <see cref="PairwiseKernel"/> reads a row of one element type: load the elements at <c>index</c> and widen them
/// to float32 lanes, at every rung of the ladder (1, 4, 8, 16 lanes). It is the only code that differs between element
/// types, so the 4-accumulator loop and its masked tail are written once. Static abstract members on a struct: the JIT
/// specialises the loop for each loader and inlines the loads.
/// <para>
/// Contract: a load reads exactly its lanes' worth of elements, never past them (the masked tail re-reads the last
/// full vector of the row, ending at the row's last element), and widens exactly or with a fixed rounding (the
/// float64 reference in the tests runs on the widened values). The loop zeroes counted lanes after the load, in
/// float32, so a loader needs no mask of its own.
/// </para>
/// <para>
/// Another element type is one struct with these four loads, then
/// <c>PairwiseKernel.Run&lt;ItsLoader, ItsElement, TOp&gt;</c> (and a one-line facade like
/// <see cref="BFloat16PairwiseKernel"/> if callers want one):
/// <list type="bullet">
/// <item>int8 (<c>sbyte</c>, a scale applied by the caller): <c>Load128</c> reads 4 bytes
/// (<c>Unsafe.ReadUnaligned&lt;uint&gt;</c> into <c>Vector128.CreateScalarUnsafe</c>), widens twice
/// (<c>Vector128.WidenLower</c>: sbyte to short to int) and converts (<c>Vector128.ConvertToSingle</c>);
/// <c>Load256</c> / <c>Load512</c> read 8 / 16 bytes the same way into the wider vectors; <c>Load</c> is
/// <c>(float)row[i]</c>.</item>
/// <item>float16 (IEEE half as <c>ushort</c> bits): <see cref="BFloat16RowLoader"/>'s zero-extending loads, then
/// the exponent re-bias instead of its bare shift: <c>(h &amp; 0x7FFF) &lt;&lt; 13</c> as float times 2^112 (exact for
/// normals and subnormals), exponent forced to all ones where the input was inf / NaN, sign bit or'ed back;
/// <c>Load</c> is <c>(float)BitConverter.UInt16BitsToHalf(row[i])</c>.</item>
/// </list>
/// </para>
/// </summary>
internal interface IRowLoader<TElement>
{
    /// <summary>The element at <paramref name="index"/> as float32 (the scalar rung).</summary>
    static abstract float Load(ref TElement row, nuint index);

    /// <summary>Elements [index, index + 4) as float32 lanes.</summary>
    static abstract Vector128<float> Load128(ref TElement row, nuint index);

    /// <summary>Elements [index, index + 8) as float32 lanes.</summary>
    static abstract Vector256<float> Load256(ref TElement row, nuint index);

    /// <summary>Elements [index, index + 16) as float32 lanes.</summary>
    static abstract Vector512<float> Load512(ref TElement row, nuint index);
}
