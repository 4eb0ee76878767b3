using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// Filter planning, HNSW's rule (<see cref="FilterSelectivity"/>): probing finds an allowed item only if its list is
/// among the nprobe probed, so a filter that allows few items is answered by an exact scan of those items instead.
/// <code>
///   no filter                                         -> probe nprobe lists
///   filter allows &lt; ExactFilterThreshold of the items -> every list's ids through the filter; each allowed item
///                                                        scored on its stored vector (exact), or on its PQ code
///                                                        when the index keeps no vectors
///   otherwise                                         -> probe nprobe lists, the filter applied inside them
/// </code>
/// The exact scan tests every id (ids are contiguous per list, one filter call each) and scores only the allowed ones.
/// </summary>
public sealed unsafe partial class IvfPqIndex
{
    /// <summary>True when <paramref name="filter"/> allows so few items that an exact scan beats probing. Under the read lock.</summary>
    private bool PrefersExactScan(IdFilter filter)
    {
        var slots = new ListSlots(_lists!);
        return FilterSelectivity.AllowedFraction(filter, _lists!.TotalCount, ref slots) < Options.ExactFilterThreshold;
    }

    /// <summary>Exact top-k over the allowed items' stored vectors; <paramref name="query"/> normalised, not rotated (their space).</summary>
    private void ExactFiltered<TMetric, TFilter>(float* query, int k, TFilter filter, long* outIds, float* outDist)
        where TMetric : struct, IScanMetric
        where TFilter : struct, IRowFilter
    {
        var lists = _lists!;
        var q = new ReadOnlySpan<float>(query, Dimension);
        var heap = new TopKHeap(new Span<float>(outDist, k), new Span<long>(outIds, k));
        for (int list = 0; list < lists.ListCount; list++)
        {
            var ids = lists.Ids(list);
            for (int pos = 0; pos < ids.Length; pos++)
            {
                long id = ids[pos];
                if (!filter.Allows(id))
                    continue;
                float key = TMetric.Score(q, lists.Vector(list, pos));
                if (key <= heap.Threshold)
                    heap.Push(key, id);
            }
        }
        int found = heap.SortAscending();
        if (Metric == DistanceMetric.Cosine)
        {
            // The key is -dot of unit vectors; report 1 - cos like the refine path (negation is exact, so this is 1 - dot).
            for (int i = 0; i < found; i++)
                outDist[i] += 1f;
        }
    }

    /// <summary>
    /// Top-k over the allowed items' PQ codes (an index without stored vectors): a list's lookup table is built only
    /// when the list holds an allowed item. <paramref name="qr"/> is the query in the quantizers' space (rotated).
    /// </summary>
    private void ExactFilteredCodes<TFilter>(SearchScratch s, float* qr, int k, TFilter filter, long* outIds, float* outDist)
        where TFilter : struct, IRowFilter
    {
        var lists = _lists!;
        int m = M;
        bool innerProduct = Metric == DistanceMetric.InnerProduct;
        var heap = new TopKHeap(new Span<float>(outDist, k), new Span<long>(outIds, k));
        fixed (float* res = s.Residual)
        fixed (float* table = s.Table)
        fixed (float* block = s.Block)
        {
            if (innerProduct)
                _pq.ComputeNegatedDotTable(qr, table);
            for (int list = 0; list < lists.ListCount; list++)
            {
                var ids = lists.Ids(list);
                bool tableReady = false;
                float bias = 0;
                fixed (byte* codes = lists.Codes(list))
                {
                    for (int pos = 0; pos < ids.Length; pos++)
                    {
                        long id = ids[pos];
                        if (!filter.Allows(id))
                            continue;
                        if (!tableReady)
                        {
                            bias = PrepareListTable(qr, list, res, table, innerProduct);
                            tableReady = true;
                        }
                        AdcScan.Distances(Kernel, codes + (long)pos * m, 1, m, table, bias, block);
                        if (block[0] <= heap.Threshold)
                            heap.Push(block[0], id);
                    }
                }
            }
        }
        int found = heap.SortAscending();
        if (Metric == DistanceMetric.Cosine)
        {
            // |q - x|^2 = 2 - 2 cos on unit vectors: report the approximate 1 - cos, as the probe path does.
            for (int i = 0; i < found; i++)
                outDist[i] *= 0.5f;
        }
    }

    /// <summary>The index's entries end to end, list by list, for <see cref="FilterSelectivity"/>: a forward cursor over the lists.</summary>
    private struct ListSlots(InvertedLists lists) : IFilterSampleSlots
    {
        private int _list;
        private long _first; // slot of _list's first entry

        public readonly long Count => lists.TotalCount;

        public bool TryGetId(long slot, out long id)
        {
            while (slot - _first >= lists.Count(_list))
                _first += lists.Count(_list++);
            id = lists.Ids(_list)[(int)(slot - _first)];
            return true;
        }
    }
}
