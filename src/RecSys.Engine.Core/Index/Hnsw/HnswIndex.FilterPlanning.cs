using System.Runtime.CompilerServices;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// Filter planning (Qdrant's rule): a filter that allows few items is answered by an exact scan of those items;
/// a filter up to <see cref="HnswOptions.AdmittedWalkMaxFraction"/> by the admitted-only walk (ACORN-1, which
/// expands only admitted nodes, two hops out where needed); any other search walks the graph with an admission rule
/// that decides which nodes may enter the results (traversal itself never filters, so the graph stays connected).
/// <code>
///   no filter, no deletions  -> graph, AdmitAll (no filter branch compiled in)
///   no filter, deletions     -> graph, AdmitLive
///   filter allows &lt; ExactFilterThreshold of the live items -> ExactFiltered (bitset or predicate)
///   filter allows &lt;= AdmittedWalkMaxFraction -> SearchAdmitted, AdmitFiltered or, with deletions,
///                               AdmitLiveFiltered (.AdmittedWalk)
///   otherwise                -> graph, AdmitLiveFiltered (bitset or predicate)
/// </code>
/// </summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>Chooses the exact scan or the graph walk with its admission rule (the table above), and runs it.</summary>
    private void PlanSearch<TMetric>(HnswScratch s, float* q, int k, long* outIds, float* outDist, int ef, IdFilter? filter, CancellationToken ct)
        where TMetric : struct, IScanMetric
    {
        var t = Volatile.Read(ref _tables);
        bool deletions = Volatile.Read(ref _deletedCount) > 0;
        switch (filter)
        {
            case null when !deletions:
                SearchGraph<TMetric, AdmitAll>(t, s, q, k, outIds, outDist, ef, default, ct);
                return;
            case null:
                SearchGraph<TMetric, AdmitLive>(t, s, q, k, outIds, outDist, ef, new AdmitLive(t), ct);
                return;
        }

        double allowed = EstimateAllowedFraction(t, filter);
        if (allowed < Options.ExactFilterThreshold)
        {
            if (filter is AllowBitset exactBits)
                ExactFiltered<TMetric, BitsetRowFilter>(t, q, k, outIds, outDist, new BitsetRowFilter(exactBits), ct);
            else
                ExactFiltered<TMetric, AnyRowFilter>(t, q, k, outIds, outDist, new AnyRowFilter(filter), ct);
            return;
        }
        if (allowed <= Options.AdmittedWalkMaxFraction)
        {
            // This walk tests the filter on several times the nodes it scores: without deletions, skip the meta word.
            if (filter is AllowBitset walkBits)
            {
                var rows = new BitsetRowFilter(walkBits);
                if (deletions)
                    SearchAdmitted<TMetric, AdmitLiveFiltered<BitsetRowFilter>>(t, s, q, k, outIds, outDist, ef, new AdmitLiveFiltered<BitsetRowFilter>(t, rows), ct);
                else
                    SearchAdmitted<TMetric, AdmitFiltered<BitsetRowFilter>>(t, s, q, k, outIds, outDist, ef, new AdmitFiltered<BitsetRowFilter>(t, rows), ct);
            }
            else
            {
                var rows = new AnyRowFilter(filter);
                if (deletions)
                    SearchAdmitted<TMetric, AdmitLiveFiltered<AnyRowFilter>>(t, s, q, k, outIds, outDist, ef, new AdmitLiveFiltered<AnyRowFilter>(t, rows), ct);
                else
                    SearchAdmitted<TMetric, AdmitFiltered<AnyRowFilter>>(t, s, q, k, outIds, outDist, ef, new AdmitFiltered<AnyRowFilter>(t, rows), ct);
            }
            return;
        }
        if (filter is AllowBitset bits)
            SearchGraph<TMetric, AdmitLiveFiltered<BitsetRowFilter>>(t, s, q, k, outIds, outDist, ef, new AdmitLiveFiltered<BitsetRowFilter>(t, new BitsetRowFilter(bits)), ct);
        else
            SearchGraph<TMetric, AdmitLiveFiltered<AnyRowFilter>>(t, s, q, k, outIds, outDist, ef, new AdmitLiveFiltered<AnyRowFilter>(t, new AnyRowFilter(filter)), ct);
    }

    /// <summary>Fraction of live items the filter allows: the rule every index plans with (<see cref="FilterSelectivity"/>).</summary>
    private double EstimateAllowedFraction(NodeTables t, IdFilter filter)
    {
        var slots = new NodeSlots(t, NodeCount);
        return FilterSelectivity.AllowedFraction(filter, Count, ref slots);
    }

    /// <summary>Exact top-k over the live nodes the filter allows (the planner's choice for very selective filters).</summary>
    private void ExactFiltered<TMetric, TFilter>(NodeTables t, float* q, int k, long* outIds, float* outDist, TFilter filter, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TFilter : struct, IRowFilter
    {
        var heap = new TopKHeap(new Span<float>(outDist, k), new Span<long>(outIds, k));
        int nodes = NodeCount;
        for (int node = 0; node < nodes; node++)
        {
            if ((node & 0xFFFF) == 0 && ct.IsCancellationRequested)
                ct.ThrowIfCancellationRequested();
            long label = *LabelOf(t, node);
            if (IsDeleted(t, node) || !filter.Allows(label))
                continue;
            float d = Distance<TMetric>(q, VectorOf(t, node));
            if (d <= heap.Threshold)
                heap.Push(d, label);
        }
        heap.SortAscending();
    }

    /// <summary>The nodes as <see cref="FilterSelectivity"/> samples them; a deleted node holds no live item.</summary>
    private readonly struct NodeSlots(NodeTables t, int nodes) : IFilterSampleSlots
    {
        public long Count => nodes;

        public bool TryGetId(long slot, out long id)
        {
            int node = (int)slot;
            id = *LabelOf(t, node);
            return !IsDeleted(t, node);
        }
    }

    /// <summary>Which nodes may enter a search's results (and, in the admitted-only walk, which nodes it expands).</summary>
    private interface IAdmit
    {
        static abstract bool AdmitsAll { get; }

        bool Admit(int node);
    }

    private readonly struct AdmitAll : IAdmit
    {
        public static bool AdmitsAll => true;

        public bool Admit(int node) => true;
    }

    private readonly struct AdmitLive(NodeTables t) : IAdmit
    {
        public static bool AdmitsAll => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Admit(int node) => !IsDeleted(t, node);
    }

    /// <summary>The filter alone, for a search planned when the index had no deletions (as AdmitAll is).</summary>
    private readonly struct AdmitFiltered<TFilter>(NodeTables t, TFilter filter) : IAdmit
        where TFilter : struct, IRowFilter
    {
        public static bool AdmitsAll => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Admit(int node) => filter.Allows(*LabelOf(t, node));
    }

    private readonly struct AdmitLiveFiltered<TFilter>(NodeTables t, TFilter filter) : IAdmit
        where TFilter : struct, IRowFilter
    {
        public static bool AdmitsAll => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Admit(int node) => !IsDeleted(t, node) && filter.Allows(*LabelOf(t, node));
    }
}
