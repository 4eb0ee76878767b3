using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Benchmarks.Vectors;

/// <summary>
/// Flat scan of 1M x 96 float32 on one thread, beside a plain streaming read of a 1 GiB float array in
/// the same run (this machine's memory-bandwidth ceiling). GB/s = bytes read / mean time: 384 MB for
/// the scan (rows are 384 bytes, already 64-byte aligned, so no padding is read), 1 GiB for the stream.
/// </summary>
[BenchmarkCategory(BenchCategories.Kernels)]
public unsafe class FlatScanBenchmarks
{
    private const int N = 1_000_000;
    private const int Dim = 96;
    private FlatIndex _index = null!;
    private VectorArena _arena = null!;
    private float[] _query = [];
    private float[] _scores = [];
    private float[] _stream = [];
    private readonly long[] _ids = new long[10];
    private readonly float[] _dists = new float[10];
    private static readonly SearchParameters OneThread = new() { MaxDegreeOfParallelism = 1 };

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        var rows = new float[N * Dim];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = rng.NextSingle() * 2 - 1;
        var ids = new long[N];
        for (int i = 0; i < N; i++)
            ids[i] = i;
        _index = new FlatIndex(Dim, DistanceMetric.InnerProduct);
        _index.Add(ids, rows);
        _arena = new VectorArena(Dim, N);
        for (int i = 0; i < N; i++)
            _arena.Append(rows.AsSpan(i * Dim, Dim));
        _query = rows.AsSpan(0, Dim).ToArray();
        _scores = new float[N];
        _stream = GC.AllocateUninitializedArray<float>(1 << 28, pinned: true); // 1 GiB
        new Span<float>(_stream).Fill(1f);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index.Dispose();
        _arena.Dispose();
    }

    /// <summary>Kernel only: one query against every row, scores to an array (no selection).</summary>
    [Benchmark]
    public float ScanScores_1Mx96()
    {
        var rows = new ReadOnlySpan<float>(_arena.RowsPointer, (N - 1) * _arena.RowStrideFloats + Dim);
        DotProduct.ComputeMany(_query, rows, _arena.RowStrideFloats, _scores);
        return _scores[N - 1];
    }

    /// <summary>The whole exact search: scan + top-10 selection, one thread.</summary>
    [Benchmark]
    public long FlatSearchTop10_1Mx96()
    {
        _index.Search(_query, 10, _ids, _dists, OneThread);
        return _ids[0];
    }

    /// <summary>Memory-bandwidth reference: sum a 1 GiB array with four Vector256 accumulators.</summary>
    [Benchmark]
    public float StreamingRead_1GiB()
    {
        ref float p = ref _stream[0];
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;
        nuint n = (nuint)_stream.Length;
        for (nuint i = 0; i < n; i += 32)
        {
            a0 += Vector256.LoadUnsafe(ref p, i);
            a1 += Vector256.LoadUnsafe(ref p, i + 8);
            a2 += Vector256.LoadUnsafe(ref p, i + 16);
            a3 += Vector256.LoadUnsafe(ref p, i + 24);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3);
    }
}
