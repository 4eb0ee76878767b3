using System.Runtime.CompilerServices;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Core.Index.Scan;

/// <summary>
/// Exact top-k over a block of rows for a block of queries: the flat index's search, the oracle of
/// every other index, and the fallback of filtered graph search when a filter allows very few ids.
/// <code>
///   for each tile of rows (~64 KiB, stays in L2)
///     for each query of the block (the queries stay in L1)
///       keys = metric.ScoreMany(query, tile)        SIMD, one pass
///       keep keys under the query's heap threshold   TopKHeap (worst at root)
/// </code>
/// Tiling turns a memory-bound scan into a compute-bound one when many queries come together: each
/// tile is read from memory once per block of queries instead of once per query.
/// </summary>
internal static unsafe class ExactScan
{
    /// <summary>Rows per tile: about 64 KiB of rows, between 16 and 1024.</summary>
    public static int TileRows(int rowStrideFloats) => Math.Clamp(65536 / (rowStrideFloats * sizeof(float)), 16, 1024);

    /// <summary>
    /// Scans rows [0, rowCount) for queries [0, queryCount) of <paramref name="queries"/> (dense, dim apart),
    /// keeping the k best per query in outKeys/outIds at [q * k, q * k + k), sorted on return.
    /// Returns nothing; unfilled slots hold -1 / +infinity.
    /// </summary>
    public static void Run<TMetric, TFilter>(
        float* queries, int queryCount, int dim,
        float* rows, int rowStrideFloats, long rowCount, long* rowIds,
        int k, long* outIds, float* outKeys, TFilter filter)
        where TMetric : struct, IScanMetric
        where TFilter : struct, IRowFilter
    {
        Span<int> counts = queryCount <= 64 ? stackalloc int[queryCount] : new int[queryCount];
        counts.Clear();
        int tile = TileRows(rowStrideFloats);
        Span<float> keys = stackalloc float[tile];

        for (long start = 0; start < rowCount; start += tile)
        {
            int n = (int)Math.Min(tile, rowCount - start);
            float* tileRows = rows + start * rowStrideFloats;
            var tileSpan = new ReadOnlySpan<float>(tileRows, (n - 1) * rowStrideFloats + dim);
            for (int q = 0; q < queryCount; q++)
            {
                var query = new ReadOnlySpan<float>(queries + (long)q * dim, dim);
                var heap = new TopKHeap(new Span<float>(outKeys + (long)q * k, k), new Span<long>(outIds + (long)q * k, k), counts[q]);
                if (TFilter.IsPassThrough)
                {
                    var tileKeys = keys[..n];
                    TMetric.ScoreMany(query, tileSpan, rowStrideFloats, tileKeys);
                    float threshold = heap.Threshold;
                    for (int j = 0; j < tileKeys.Length; j++)
                    {
                        // <= so that an equal key can still win on the smaller id.
                        if (tileKeys[j] <= threshold && heap.Push(tileKeys[j], rowIds[start + j]))
                            threshold = heap.Threshold;
                    }
                }
                else
                {
                    ScanFiltered<TMetric, TFilter>(query, tileRows, rowStrideFloats, n, rowIds + start, ref heap, filter);
                }
                counts[q] = heap.Count;
            }
        }

        for (int q = 0; q < queryCount; q++)
        {
            var heap = new TopKHeap(new Span<float>(outKeys + (long)q * k, k), new Span<long>(outIds + (long)q * k, k), counts[q]);
            heap.SortAscending();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScanFiltered<TMetric, TFilter>(ReadOnlySpan<float> query, float* rows, int stride, int n, long* ids, ref TopKHeap heap, TFilter filter)
        where TMetric : struct, IScanMetric
        where TFilter : struct, IRowFilter
    {
        int dim = query.Length;
        for (int j = 0; j < n; j++)
        {
            long id = ids[j];
            // Filter before scoring: a rejected row costs one bit test, not a distance.
            if (!filter.Allows(id))
                continue;
            float key = TMetric.Score(query, new ReadOnlySpan<float>(rows + (long)j * stride, dim));
            if (key <= heap.Threshold)
                heap.Push(key, id);
        }
    }
}
