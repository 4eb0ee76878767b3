using System.Diagnostics;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Benchmarks.Vectors;

/// <summary>
/// `bf16-key-ab [dims] [blocks]`: the two production bfloat16 keys in one process, alternating in blocks: W = the
/// widening loop (<see cref="BFloat16PairwiseKernel"/>: each 16-bit lane zero-extended, then shifted) and S = the
/// split-query loop (<see cref="BFloat16SplitQueryKernel"/>: the row read as 32-bit words, the query split into even
/// and odd elements once, outside the timing, as the HNSW walk does). Both are Core's own methods, so neither is a
/// copy placed elsewhere. Two working sets per dimension: 64 rows (in L1, the loop alone) and 262,144 rows read in a
/// shuffled order (64-192 MiB, past the caches, as a graph walk reads them). Rows and query halves start on 64-byte
/// boundaries, as in the HNSW index (row stride rounded up to 32 elements, the query in HnswScratch's aligned buffer):
/// with managed arrays at arbitrary 8-byte offsets every Vector512 load of the split loop straddled two lines, and it
/// measured 0.72x the widening loop at 384 dims in L1. Dot product; prints the median ns per call of each and the
/// median W/S of the pairs (above 1: the split loop is faster).
/// </summary>
internal static unsafe class BFloat16KeyAbHarness
{
    private const int HotRows = 64;
    private const int ColdRows = 1 << 18;
    private const int CallsPerBlock = 1 << 18;

    public static int Run(string[] args)
    {
        int[] dims = [96, 128, 384];
        if (args.Length > 0)
        {
            var parsed = new List<int>();
            foreach (string d in args[0].Split(','))
            {
                if (!int.TryParse(d, out int dim) || dim < 1 || dim > 4096)
                    return Usage($"dims: '{d}' is not a dimension from 1 to 4096");
                parsed.Add(dim);
            }
            dims = parsed.ToArray();
        }
        int blocks = 15;
        if (args.Length > 1 && (!int.TryParse(args[1], out blocks) || blocks < 1 || blocks > 10_000))
            return Usage($"blocks: '{args[1]}' is not a count from 1 to 10000");
        Console.WriteLine($"bf16-key-ab: Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}; {CallsPerBlock} calls per block, {blocks} blocks per variant; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| dim | rows | W ns (widening) | S ns (split query) | W/S median of pairs | S faster in pairs | max abs diff S-W |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int dim in dims)
        {
            foreach (int rowCount in new[] { HotRows, ColdRows })
            {
                var rng = new Random(42);
                int stride = (dim + 31) & ~31;
                int evenLength = BFloat16SplitQueryKernel.EvenLength(dim), oddAt = (evenLength + 15) & ~15;
                float* q = (float*)NativeMemory.AlignedAlloc((nuint)(dim * sizeof(float)), 64);
                float* split = (float*)NativeMemory.AlignedAlloc((nuint)((oddAt + dim / 2 + 1) * sizeof(float)), 64);
                ushort* rows = (ushort*)NativeMemory.AlignedAlloc((nuint)rowCount * (nuint)stride * sizeof(ushort), 64);
                try
                {
                    for (int i = 0; i < dim; i++) q[i] = rng.NextSingle() * 2 - 1;
                    BFloat16SplitQueryKernel.Split(new ReadOnlySpan<float>(q, dim), new Span<float>(split, evenLength), new Span<float>(split + oddAt, dim / 2));
                    var value = new float[dim];
                    for (long r = 0; r < rowCount; r++)
                    {
                        for (int i = 0; i < dim; i++) value[i] = rng.NextSingle() * 2 - 1;
                        BFloat16.FromSingle(value, new Span<ushort>(rows + r * stride, dim));
                    }
                    var order = new int[CallsPerBlock];
                    for (int i = 0; i < order.Length; i++) order[i] = rowCount == HotRows ? i % HotRows : rng.Next(rowCount);
                    var k = new Keys(q, split, split + oddAt, rows, stride, dim);
                    float maxDiff = 0;
                    for (int r = 0; r < Math.Min(rowCount, 1000); r++)
                        maxDiff = Math.Max(maxDiff, Math.Abs(k.Key(1, r) - k.Key(0, r)));
                    // Warm-up: half a second each, past the tiered JIT's 100 ms delay, so both run at tier 1 when timed.
                    for (int v = 0; v < 2; v++)
                    {
                        long w0 = Stopwatch.GetTimestamp();
                        while (Stopwatch.GetElapsedTime(w0).TotalMilliseconds < 500)
                            TimeBlock(v, k, order);
                    }
                    var ns = new[] { new List<double>(), new List<double>() };
                    for (int b = 0; b < blocks; b++)
                    {
                        for (int j = 0; j < 2; j++)
                        {
                            int v = (b + j) % 2; // alternate which goes first
                            ns[v].Add(TimeBlock(v, k, order));
                        }
                    }
                    var pairs = Enumerable.Range(0, blocks).Select(i => ns[0][i] / ns[1][i]).ToList();
                    Console.WriteLine($"| {dim} | {rowCount:N0} | {Median(ns[0]):F2} | {Median(ns[1]):F2} | {Median(pairs):F3} | {pairs.Count(x => x > 1)}/{blocks} | {maxDiff:G3} |");
                }
                finally
                {
                    NativeMemory.AlignedFree(q);
                    NativeMemory.AlignedFree(split);
                    NativeMemory.AlignedFree(rows);
                }
            }
        }
        return 0;
    }

    private static int Usage(string reason)
    {
        Console.Error.WriteLine($"bf16-key-ab: {reason}");
        Console.Error.WriteLine("usage: bf16-key-ab [dims, e.g. 96,128,384] [blocks per variant]");
        return 2;
    }

    private static double TimeBlock(int variant, Keys k, int[] order)
    {
        float sink = 0;
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < order.Length; i++)
            sink += k.Key(variant, order[i]);
        double ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / order.Length;
        GC.KeepAlive(sink);
        return ns;
    }

    /// <summary>The query (whole and split) and the rows, each 64-byte aligned; variant 0 = widening, 1 = split.</summary>
    private readonly struct Keys(float* q, float* even, float* odd, ushort* rows, int stride, int dim)
    {
        public float Key(int variant, int r)
        {
            ushort* row = rows + (nint)r * stride;
            return variant == 0
                ? BFloat16PairwiseKernel.Run<DotOperator>(ref *q, ref *row, dim)
                : BFloat16SplitQueryKernel.Run<DotOperator>(ref *even, ref *odd, ref *row, dim);
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
