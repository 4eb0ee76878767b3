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
///   filter allows &lt;= AdmittedWalkMaxFraction and leaves the query's neighbourhood out (AdmittedWalkProbe)
///                            -> SearchAdmitted with ef x AdmittedWalkEfScale, AdmitFiltered or, with deletions,
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
        s.AdmittedWalk = false;
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
        if (filter is AllowBitset bits)
            WalkFiltered<TMetric, BitsetRowFilter>(t, s, q, k, outIds, outDist, ef, new BitsetRowFilter(bits), deletions, allowed, ct);
        else
            WalkFiltered<TMetric, AnyRowFilter>(t, s, q, k, outIds, outDist, ef, new AnyRowFilter(filter), deletions, allowed, ct);
    }

    /// <summary>
    /// A filter too wide for the exact scan: the admitted-only walk, with its wider beam, when the filter is in its band
    /// and leaves the query's neighbourhood out (or the probe is off); otherwise the walk that traverses every node and
    /// admits only allowed, live ones.
    /// </summary>
    private void WalkFiltered<TMetric, TRows>(NodeTables t, HnswScratch s, float* q, int k, long* outIds, float* outDist, int ef, TRows rows, bool deletions,
        double allowed, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TRows : struct, IRowFilter
    {
        var live = new AdmitLiveFiltered<TRows>(t, rows);
        if (allowed <= Options.AdmittedWalkMaxFraction && !(Options.AdmittedWalkProbe && NeighbourhoodAdmitted<TMetric, AdmitLiveFiltered<TRows>>(t, q, live, allowed, ct)))
        {
            s.AdmittedWalk = true;
            int walkEf = (int)Math.Min(int.MaxValue / 2, Math.Ceiling(Math.Max(ef, k) * Options.AdmittedWalkEfScale));
            // This walk tests the filter on several times the nodes it scores: without deletions, skip the meta word.
            if (deletions)
                SearchAdmitted<TMetric, AdmitLiveFiltered<TRows>>(t, s, q, k, outIds, outDist, walkEf, live, ct);
            else
                SearchAdmitted<TMetric, AdmitFiltered<TRows>>(t, s, q, k, outIds, outDist, walkEf, new AdmitFiltered<TRows>(t, rows), ct);
            return;
        }
        SearchGraph<TMetric, AdmitLiveFiltered<TRows>>(t, s, q, k, outIds, outDist, ef, live, ct);
    }

    /// <summary>
    /// Whether the filter admits the query's own neighbourhood at least half as often as the index as a whole: the
    /// unfiltered greedy descent to level 1 (tens of distances), then the share of admitted nodes among the node it
    /// reaches and its level-0 list. Near zero when the filter leaves the query's region out (categories that follow
    /// the embedding space); about the filter's share when it is uncorrelated with the space; more when it includes the
    /// region.
    /// </summary>
    private bool NeighbourhoodAdmitted<TMetric, TAdmit>(NodeTables t, float* q, TAdmit admit, double allowed, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TAdmit : struct, IAdmit
    {
        long entry = Volatile.Read(ref _entry);
        int cur = UnpackNode(entry);
        if (cur < 0)
            return true;
        float d = Distance<TMetric>(q, VectorOf(t, cur));
        GreedyDescend<TMetric>(t, q, ref cur, ref d, UnpackLevel(entry), 0, ct);
        int* list = LinksOf(t, cur, 0);
        int count = Volatile.Read(ref *list);
        int admitted = admit.Admit(cur) ? 1 : 0;
        // A concurrent Add may link a node of a chunk this search's tables do not have yet: not counted (as the walks skip it).
        uint nodes = (uint)(t.Chunks << ChunkShift);
        for (int j = 1; j <= count; j++)
        {
            int n = list[j];
            if ((uint)n < nodes && admit.Admit(n))
                admitted++;
        }
        return admitted >= 0.5 * allowed * (count + 1);
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
