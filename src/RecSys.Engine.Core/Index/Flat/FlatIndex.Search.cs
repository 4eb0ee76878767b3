using System.Buffers;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.Flat;

public sealed unsafe partial class FlatIndex
{
    /// <summary>Queries per block: a block shares each tile of rows read from memory.</summary>
    private const int MaxQueryBlock = 32;

    public void Search(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters = null)
    {
        ThrowIfDisposed();
        int nq = SearchValidation.QueryCount(queries, Dimension, k, ids, distances);
        if (nq == 0)
            return;
        parameters ??= SearchParameters.Default;

        // Cosine queries are normalised like the stored rows; the caller's span stays untouched.
        float[]? rented = null;
        ReadOnlySpan<float> q = queries;
        if (Metric == DistanceMetric.Cosine)
        {
            rented = ArrayPool<float>.Shared.Rent(queries.Length);
            var copy = rented.AsSpan(0, queries.Length);
            queries.CopyTo(copy);
            for (int i = 0; i < nq; i++)
                CosineSimilarity.Normalize(copy.Slice(i * Dimension, Dimension));
            q = copy;
        }

        _lock.EnterReadLock();
        try
        {
            fixed (float* qp = q)
            fixed (long* ip = ids)
            fixed (float* dp = distances)
            {
                RunBlocks(qp, nq, k, ip, dp, parameters);
            }
        }
        finally
        {
            _lock.ExitReadLock();
            if (rented is not null)
                ArrayPool<float>.Shared.Return(rented);
        }

        // Keys are -dot for inner product and cosine; report cosine as the distance 1 - cos.
        if (Metric == DistanceMetric.Cosine)
        {
            var d = distances[..(nq * k)];
            for (int i = 0; i < d.Length; i++)
            {
                if (!float.IsPositiveInfinity(d[i]))
                    d[i] = 1f + d[i];
            }
        }
    }

    private void RunBlocks(float* queries, int nq, int k, long* outIds, float* outKeys, SearchParameters parameters)
    {
        // Exact search has no knobs: Ef, NProbe and Refine are ignored (every row is scored).
        int threads = parameters.ThreadCount;
        // Enough blocks to keep every thread busy, small enough to share tiles across queries.
        int block = Math.Clamp(nq / Math.Max(1, threads * 4), 1, MaxQueryBlock);
        int blocks = (nq + block - 1) / block;
        if (threads == 1 || blocks == 1)
        {
            for (int b = 0; b < blocks; b++)
                RunBlock(queries, nq, b * block, block, k, outIds, outKeys, parameters.Filter);
            return;
        }

        RunBlocksInParallel(queries, nq, k, outIds, outKeys, parameters.Filter, block, blocks, threads);
    }

    // Separate method: the lambda's closure would otherwise be allocated on every call, sequential ones too.
    private void RunBlocksInParallel(float* queries, int nq, int k, long* outIds, float* outKeys, IdFilter? filter, int block, int blocks, int threads)
    {
        nint qAddr = (nint)queries, idAddr = (nint)outIds, keyAddr = (nint)outKeys;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            b => RunBlock((float*)qAddr, nq, b * block, block, k, (long*)idAddr, (float*)keyAddr, filter));
    }

    private void RunBlock(float* queries, int nq, int first, int block, int k, long* outIds, float* outKeys, IdFilter? filter)
    {
        int count = Math.Min(block, nq - first);
        float* q = queries + (long)first * Dimension;
        long* ids = outIds + (long)first * k;
        float* keys = outKeys + (long)first * k;
        long rowCount = _count;
        fixed (long* rowIds = _ids)
        {
            if (Metric == DistanceMetric.L2)
                Dispatch<SquaredL2ScanMetric>(q, count, rowIds, rowCount, k, ids, keys, filter);
            else
                Dispatch<NegatedDotScanMetric>(q, count, rowIds, rowCount, k, ids, keys, filter);
        }
    }

    private void Dispatch<TMetric>(float* q, int count, long* rowIds, long rowCount, int k, long* ids, float* keys, IdFilter? filter)
        where TMetric : struct, IScanMetric
    {
        switch (filter)
        {
            case null:
                ExactScan.Run<TMetric, NoRowFilter>(q, count, Dimension, RowsPointer, RowStrideFloats, rowCount, rowIds, k, ids, keys, default);
                break;
            case AllowBitset bitset:
                ExactScan.Run<TMetric, BitsetRowFilter>(q, count, Dimension, RowsPointer, RowStrideFloats, rowCount, rowIds, k, ids, keys, new BitsetRowFilter(bitset));
                break;
            default:
                ExactScan.Run<TMetric, AnyRowFilter>(q, count, Dimension, RowsPointer, RowStrideFloats, rowCount, rowIds, k, ids, keys, new AnyRowFilter(filter));
                break;
        }
    }
}
