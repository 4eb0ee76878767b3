using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// Asymmetric distance computation over a run of PQ codes: distance[i] = bias + sum_j table[j * 256 + code_i[j]].
/// <code>
///   Scalar      four codes at a time, one running sum each: 4 independent load+add chains
///   Avx2Gather  per code, M/8 gathers of 8 table entries (indices = code bytes widened + j*256),
///               one horizontal sum at the end; M not a multiple of 8 finishes with scalar loads
/// </code>
/// The tables are M x 256 floats (24 KiB at M = 24): they stay in L1, so both loops are bound by
/// load throughput, not memory. The scalar loop is the reference the gather is tested against.
/// </summary>
internal static unsafe class AdcScan
{
    /// <summary>The kernel <see cref="AdcKernel.Auto"/> picks (set from measurements; see the benchmark notes).</summary>
    public static AdcKernel Resolve(AdcKernel kernel) => kernel switch
    {
        AdcKernel.Avx2Gather when !Avx2.IsSupported => AdcKernel.Scalar,
        AdcKernel.Auto => AdcKernel.Scalar,
        _ => kernel,
    };

    public static void Distances(AdcKernel kernel, byte* codes, int count, int m, float* table, float bias, float* distances)
    {
        if (kernel == AdcKernel.Avx2Gather && Avx2.IsSupported)
            DistancesGather(codes, count, m, table, bias, distances);
        else
            DistancesScalar(codes, count, m, table, bias, distances);
    }

    public static void DistancesScalar(byte* codes, int count, int m, float* table, float bias, float* distances)
    {
        int i = 0;
        for (; i + 4 <= count; i += 4)
        {
            byte* c0 = codes + (long)i * m;
            byte* c1 = c0 + m;
            byte* c2 = c1 + m;
            byte* c3 = c2 + m;
            float s0 = bias, s1 = bias, s2 = bias, s3 = bias;
            float* t = table;
            for (int j = 0; j < m; j++, t += ProductQuantizer.CentroidsPerSubspace)
            {
                s0 += t[c0[j]];
                s1 += t[c1[j]];
                s2 += t[c2[j]];
                s3 += t[c3[j]];
            }
            distances[i] = s0;
            distances[i + 1] = s1;
            distances[i + 2] = s2;
            distances[i + 3] = s3;
        }
        for (; i < count; i++)
            distances[i] = Single(codes + (long)i * m, m, table, bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Single(byte* code, int m, float* table, float bias)
    {
        float s = bias;
        for (int j = 0; j < m; j++)
            s += table[j * ProductQuantizer.CentroidsPerSubspace + code[j]];
        return s;
    }

    public static void DistancesGather(byte* codes, int count, int m, float* table, float bias, float* distances)
    {
        int wide = m & ~7;
        // Lane l of gather block b reads table row (8b + l): offset (8b + l) * 256 + code byte.
        var laneOffsets = Vector256.Create(0, 256, 512, 768, 1024, 1280, 1536, 1792);
        var blockStride = Vector256.Create(8 * ProductQuantizer.CentroidsPerSubspace);
        int i = 0;
        for (; i + 2 <= count; i += 2)
        {
            byte* c0 = codes + (long)i * m;
            byte* c1 = c0 + m;
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            var offsets = laneOffsets;
            for (int j = 0; j < wide; j += 8)
            {
                var idx0 = Avx2.ConvertToVector256Int32(c0 + j) + offsets;
                var idx1 = Avx2.ConvertToVector256Int32(c1 + j) + offsets;
                acc0 += Avx2.GatherVector256(table, idx0, 4);
                acc1 += Avx2.GatherVector256(table, idx1, 4);
                offsets += blockStride;
            }
            float s0 = bias + Vector256.Sum(acc0);
            float s1 = bias + Vector256.Sum(acc1);
            for (int j = wide; j < m; j++)
            {
                s0 += table[j * ProductQuantizer.CentroidsPerSubspace + c0[j]];
                s1 += table[j * ProductQuantizer.CentroidsPerSubspace + c1[j]];
            }
            distances[i] = s0;
            distances[i + 1] = s1;
        }
        for (; i < count; i++)
            distances[i] = Single(codes + (long)i * m, m, table, bias);
    }
}
