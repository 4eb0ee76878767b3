using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// The 4-bit fast-scan ADC kernel (FAISS's PQ4 fast scan, André et al.): 16 centroids per sub-quantizer,
/// so a sub-quantizer's whole lookup table is 16 bytes and fits one register lane, and the table lookup
/// is an in-register byte shuffle instead of a load per code.
/// <code>
///   block = 32 vectors x m sub-quantizers, m x 16 bytes:
///     sub-quantizer j at [16 j, 16 j + 16): byte i = code_j(vector i) | code_j(vector i + 16) &lt;&lt; 4
///   lut   = m x 16 bytes: sub-quantizer j's 16 quantized distances at [16 j, 16 j + 16)
///   AVX2, two sub-quantizers per 32-byte load (lane 0 = j, lane 1 = j + 1):
///     lo = vpshufb(lut pair, codes &amp; 0x0F) -> vectors 0..15     hi = vpshufb(lut pair, codes >> 4) -> 16..31
///     each 16-bit word holds two vectors' bytes: acc_a += word, acc_b += word >> 8 (the odd byte);
///     at the end even = acc_a - (acc_b &lt;&lt; 8), odd = acc_b, lanes summed, even/odd interleaved
/// </code>
/// The 16-bit sums cannot overflow: m x 255 &lt;= 65,535 for m &lt;= 257. Distances come out as uint16 in the
/// quantized scale of <see cref="QuantizeTable"/>; a search re-ranks the best of them (exactly or with the
/// float table). Not yet wired into IvfPqIndex as a code layout (bench/results/ivfpq.md, "Not done").
/// No Vector512 path: AVX-512 is absent on this machine kind, so it could not be tested.
/// </summary>
public static unsafe class FastScan4
{
    public const int BlockVectors = 32;
    public const int Centroids = 16;

    /// <summary>Bytes of one block of 32 vectors' codes.</summary>
    public static int BlockBytes(int m) => m * 16;

    /// <summary>
    /// Interleaves <paramref name="count"/> vectors' codes (<paramref name="codes"/>: count x m bytes, each 0..15)
    /// into ceil(count / 32) blocks; the slots past <paramref name="count"/> in the last block get code 0.
    /// </summary>
    public static void Pack(ReadOnlySpan<byte> codes, int count, int m, Span<byte> blocks)
    {
        int nBlocks = (count + BlockVectors - 1) / BlockVectors;
        if (codes.Length < count * m || blocks.Length < nBlocks * BlockBytes(m))
            throw new ArgumentException("codes or blocks too short");
        blocks[..(nBlocks * BlockBytes(m))].Clear();
        for (int v = 0; v < count; v++)
        {
            int b = v / BlockVectors, i = v % BlockVectors;
            var dst = blocks.Slice(b * BlockBytes(m), BlockBytes(m));
            for (int j = 0; j < m; j++)
            {
                int code = codes[v * m + j];
                if (code > 15)
                    throw new ArgumentException($"vector {v}, sub-quantizer {j}: code {code} does not fit 4 bits", nameof(codes));
                if (i < 16)
                    dst[16 * j + i] |= (byte)code;
                else
                    dst[16 * j + i - 16] |= (byte)(code << 4);
            }
        }
    }

    /// <summary>
    /// Quantizes an m x 16 float table to bytes: per sub-quantizer minus its minimum, times one scale for all
    /// (255 / the largest range), rounded. A float distance is then about <paramref name="bias"/> + sum / <paramref name="scale"/>.
    /// </summary>
    public static void QuantizeTable(ReadOnlySpan<float> table, int m, Span<byte> lut, out float bias, out float scale)
    {
        bias = 0;
        float range = 0;
        for (int j = 0; j < m; j++)
        {
            var t = table.Slice(j * Centroids, Centroids);
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            foreach (float x in t)
            {
                lo = MathF.Min(lo, x);
                hi = MathF.Max(hi, x);
            }
            bias += lo;
            range = MathF.Max(range, hi - lo);
        }
        scale = range > 0 ? 255f / range : 1f;
        for (int j = 0; j < m; j++)
        {
            var t = table.Slice(j * Centroids, Centroids);
            float lo = float.PositiveInfinity;
            foreach (float x in t)
                lo = MathF.Min(lo, x);
            for (int c = 0; c < Centroids; c++)
                lut[j * Centroids + c] = (byte)Math.Clamp(MathF.Round((t[c] - lo) * scale), 0, 255);
        }
    }

    /// <summary>Quantized distances of <paramref name="blockCount"/> blocks (32 each) into <paramref name="distances"/>.</summary>
    public static void Scan(byte* blocks, int blockCount, int m, byte* lut, ushort* distances)
    {
        if (Avx2.IsSupported)
            ScanAvx2(blocks, blockCount, m, lut, distances);
        else if (Ssse3.IsSupported)
            ScanSsse3(blocks, blockCount, m, lut, distances);
        else
            ScanScalar(blocks, blockCount, m, lut, distances);
    }

    /// <summary>The reference: one table byte per sub-quantizer per vector.</summary>
    public static void ScanScalar(byte* blocks, int blockCount, int m, byte* lut, ushort* distances)
    {
        for (int b = 0; b < blockCount; b++)
        {
            byte* blk = blocks + (long)b * BlockBytes(m);
            for (int i = 0; i < BlockVectors; i++)
            {
                int sum = 0;
                for (int j = 0; j < m; j++)
                {
                    byte packed = blk[16 * j + (i & 15)];
                    int code = i < 16 ? packed & 15 : packed >> 4;
                    sum += lut[16 * j + code];
                }
                distances[(long)b * BlockVectors + i] = (ushort)sum;
            }
        }
    }

    public static void ScanAvx2(byte* blocks, int blockCount, int m, byte* lut, ushort* distances)
    {
        var mask = Vector256.Create((byte)0x0F);
        int pairs = m / 2;
        for (int b = 0; b < blockCount; b++)
        {
            byte* blk = blocks + (long)b * BlockBytes(m);
            Vector256<ushort> loA = default, loB = default, hiA = default, hiB = default;
            for (int p = 0; p < pairs; p++)
            {
                var codes = Avx.LoadVector256(blk + 32 * p);
                var table = Avx.LoadVector256(lut + 32 * p);
                var lo = Avx2.Shuffle(table, codes & mask).AsUInt16();
                var hi = Avx2.Shuffle(table, Avx2.ShiftRightLogical(codes.AsUInt16(), 4).AsByte() & mask).AsUInt16();
                loA += lo;
                loB += Avx2.ShiftRightLogical(lo, 8);
                hiA += hi;
                hiB += Avx2.ShiftRightLogical(hi, 8);
            }
            Vector128<ushort> loA128 = loA.GetLower() + loA.GetUpper(), loB128 = loB.GetLower() + loB.GetUpper();
            Vector128<ushort> hiA128 = hiA.GetLower() + hiA.GetUpper(), hiB128 = hiB.GetLower() + hiB.GetUpper();
            if ((m & 1) != 0)
            {
                // The odd last sub-quantizer, one 16-byte lane.
                var codes = Sse2.LoadVector128(blk + 16 * (m - 1));
                var table = Sse2.LoadVector128(lut + 16 * (m - 1));
                var mask128 = Vector128.Create((byte)0x0F);
                var lo = Ssse3.Shuffle(table, codes & mask128).AsUInt16();
                var hi = Ssse3.Shuffle(table, Sse2.ShiftRightLogical(codes.AsUInt16(), 4).AsByte() & mask128).AsUInt16();
                loA128 += lo;
                loB128 += Sse2.ShiftRightLogical(lo, 8);
                hiA128 += hi;
                hiB128 += Sse2.ShiftRightLogical(hi, 8);
            }
            Store(loA128, loB128, distances + (long)b * BlockVectors);
            Store(hiA128, hiB128, distances + (long)b * BlockVectors + 16);
        }
    }

    public static void ScanSsse3(byte* blocks, int blockCount, int m, byte* lut, ushort* distances)
    {
        var mask = Vector128.Create((byte)0x0F);
        for (int b = 0; b < blockCount; b++)
        {
            byte* blk = blocks + (long)b * BlockBytes(m);
            Vector128<ushort> loA = default, loB = default, hiA = default, hiB = default;
            for (int j = 0; j < m; j++)
            {
                var codes = Sse2.LoadVector128(blk + 16 * j);
                var table = Sse2.LoadVector128(lut + 16 * j);
                var lo = Ssse3.Shuffle(table, codes & mask).AsUInt16();
                var hi = Ssse3.Shuffle(table, Sse2.ShiftRightLogical(codes.AsUInt16(), 4).AsByte() & mask).AsUInt16();
                loA += lo;
                loB += Sse2.ShiftRightLogical(lo, 8);
                hiA += hi;
                hiB += Sse2.ShiftRightLogical(hi, 8);
            }
            Store(loA, loB, distances + (long)b * BlockVectors);
            Store(hiA, hiB, distances + (long)b * BlockVectors + 16);
        }
    }

    /// <summary>
    /// Sixteen vectors' sums from the two word accumulators: word i of <paramref name="a"/> is
    /// even(i) + odd(i) x 256 (mod 2^16), word i of <paramref name="b"/> is odd(i), for vectors 2i and 2i + 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<ushort> a, Vector128<ushort> b, ushort* dst)
    {
        var even = a - Sse2.ShiftLeftLogical(b, 8);
        Sse2.Store(dst, Sse2.UnpackLow(even, b));
        Sse2.Store(dst + 8, Sse2.UnpackHigh(even, b));
    }
}
