using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// Delete = tombstone + repair:
/// <code>
///   mark deleted (a bit in the node's meta word; searches never return it, but still walk through it)
///   repair: a live node whose list (any level) names a deleted node gets a new list chosen by the
///           heuristic from its live neighbours plus the live neighbours of its deleted ones, so the
///           region around a hole stays connected and search recall holds. Which nodes are looked at:
///             a few deletes (the serving case: one item)  -> the deleted nodes' two-hop neighbourhoods
///                                                            (about M0 + M0^2 lists each), on the caller's thread
///             a batch that would read about as many lists -> every node, on BuildThreads threads
///   entry point deleted -> the live node with the highest level takes over
/// </code>
/// Tombstoned slots are not reused: their memory is reclaimed by rebuilding or by a compacting save (future).
/// </summary>
public sealed unsafe partial class HnswIndex
{
    public int Remove(ReadOnlySpan<long> ids)
    {
        ThrowIfDisposed();
        lock (_writeLock)
        {
            ThrowIfDisposed();
            EnsureIdMap();
            var t = _tables;
            var nodes = new List<int>();
            foreach (long id in ids)
            {
                if (_ordinalOf!.Remove(id, out int node))
                    nodes.Add(node);
            }
            if (nodes.Count == 0)
                return 0;
            // Count first: a reader that sees the flag must also take the path that checks it.
            Interlocked.Add(ref _deletedCount, nodes.Count);
            foreach (int node in nodes)
                Interlocked.Or(ref *MetaOf(t, node), DeletedFlag);
            Volatile.Write(ref _liveCount, _liveCount - nodes.Count);

            if (LocalRepairPays(nodes.Count))
            {
                if (Metric == DistanceMetric.L2)
                    RepairAround<SquaredL2ScanMetric>(t, nodes);
                else
                    RepairAround<NegatedDotScanMetric>(t, nodes);
            }
            else
            {
                int threads = Options.BuildThreads <= 0 ? Environment.ProcessorCount : Options.BuildThreads;
                if (Metric == DistanceMetric.L2)
                    RepairAll<SquaredL2ScanMetric>(t, threads);
                else
                    RepairAll<NegatedDotScanMetric>(t, threads);
            }
            MoveEntryOffDeleted(t);
            return nodes.Count;
        }
    }

    /// <summary>
    /// True when repairing the deleted nodes' two-hop neighbourhoods reads fewer lists than a pass over every node.
    /// A serving delete is one item: at 1M nodes the pass took a median 41 ms on both cores for it, the two-hop repair
    /// 0.2 ms on one (bench/results/hnsw-delete-2026-12-06).
    /// </summary>
    private bool LocalRepairPays(int deleted) => (long)deleted * (1 + _m0 + (long)_m0 * _m0) < _nodeCount;

    /// <summary>
    /// Repairs the lists around <paramref name="deleted"/> only. Links are one-way and a node's in-neighbours are not
    /// stored, but insertion links both ways (a new node's neighbours take it back unless their list is full and it
    /// loses the heuristic), so the lists that name a deleted node sit almost all among its own neighbours and theirs,
    /// level by level. Both hops are read before any list is rewritten: a repaired neighbour's new list would lead
    /// back to the deleted node's neighbours, not to its old ones. A list this misses still names the tombstone:
    /// searches walk through it, as through every deleted node, and never return it, so a miss costs a little recall,
    /// not correctness. A later delete whose neighbourhood reaches it or a batch delete (the full pass) mends it; until
    /// then an insert that re-prunes the list may keep it (as it may keep any entry), so single deletes leave a few
    /// such lists behind, about 0.4 per delete in the test's graph (HnswUpdateTests).
    /// </summary>
    private void RepairAround<TMetric>(NodeTables t, List<int> deleted) where TMetric : struct, IScanMetric
    {
        var seen = new HashSet<long>();
        var pending = new List<(int Node, int Level)>();
        void Visit(int node, int level)
        {
            if (!IsDeleted(t, node) && seen.Add(((long)node << 8) | (uint)level))
                pending.Add((node, level));
        }

        foreach (int d in deleted)
        {
            int top = LevelOf(t, d);
            for (int lc = 0; lc <= top; lc++)
            {
                int* first = LinksOf(t, d, lc);
                int firstCount = Volatile.Read(ref *first);
                for (int i = 1; i <= firstCount; i++)
                {
                    int nb = first[i];
                    Visit(nb, lc);
                    // A deleted neighbour's list is never rewritten, so it still leads to its own neighbours.
                    int* second = LinksOf(t, nb, lc);
                    int secondCount = Volatile.Read(ref *second);
                    for (int j = 1; j <= secondCount; j++)
                        Visit(second[j], lc);
                }
            }
        }
        foreach (var (node, level) in pending)
        {
            int* list = LinksOf(t, node, level);
            if (NamesDeleted(t, list))
                RepairList<TMetric>(t, node, level, list);
        }
    }

    /// <summary>True when the list [count | ids] names a deleted node.</summary>
    private static bool NamesDeleted(NodeTables t, int* list)
    {
        int count = *list;
        for (int i = 1; i <= count; i++)
        {
            if (IsDeleted(t, list[i]))
                return true;
        }
        return false;
    }

    /// <summary>Live lists (node, level) that still name a deleted node: what the local repair left for a full pass (tests, diagnostics).</summary>
    internal int ListsNamingDeleted()
    {
        lock (_writeLock)
        {
            var t = _tables;
            int lists = 0;
            for (int node = 0; node < _nodeCount; node++)
            {
                if (IsDeleted(t, node))
                    continue;
                for (int lc = 0; lc <= LevelOf(t, node); lc++)
                {
                    if (NamesDeleted(t, LinksOf(t, node, lc)))
                        lists++;
                }
            }
            return lists;
        }
    }

    private void RepairAll<TMetric>(NodeTables t, int threads) where TMetric : struct, IScanMetric
    {
        int count = _nodeCount;
        if (threads == 1)
        {
            for (int node = 0; node < count; node++)
                Repair<TMetric>(t, node);
        }
        else
        {
            RepairParallel<TMetric>(t, count, threads);
        }
    }

    private void RepairParallel<TMetric>(NodeTables t, int count, int threads) where TMetric : struct, IScanMetric =>
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, node => Repair<TMetric>(t, node));

    private void Repair<TMetric>(NodeTables t, int node) where TMetric : struct, IScanMetric
    {
        if (IsDeleted(t, node))
            return;
        int level = LevelOf(t, node);
        for (int lc = 0; lc <= level; lc++)
        {
            int* list = LinksOf(t, node, lc);
            if (NamesDeleted(t, list))
                RepairList<TMetric>(t, node, lc, list);
        }
    }

    private void RepairList<TMetric>(NodeTables t, int node, int level, int* list) where TMetric : struct, IScanMetric
    {
        var s = HnswScratch.Rent();
        try
        {
            RepairList<TMetric>(t, node, level, list, s);
        }
        finally
        {
            HnswScratch.Return(s);
        }
    }

    private void RepairList<TMetric>(NodeTables t, int node, int level, int* list, HnswScratch s) where TMetric : struct, IScanMetric
    {
        int max = MaxLinks(level);
        int need = max + max * max + 1;
        if (s.Sorted.Length < need)
            s.Sorted = new HnswCandidate[need];
        s.BeginVisit(t.Chunks << ChunkShift);
        s.Tags[node] = s.Generation;
        float* nv = VectorOf(t, node);
        int n = 0;

        LockNode(node);
        try
        {
            int count = *list;
            for (int i = 1; i <= count; i++)
            {
                int nb = list[i];
                if (!IsDeleted(t, nb))
                {
                    AddRepairCandidate<TMetric>(t, s, nv, nb, ref n);
                    continue;
                }
                // Bridge the hole: the deleted neighbour's own live neighbours become candidates.
                int* hole = LinksOf(t, nb, level);
                int holeCount = Volatile.Read(ref *hole);
                for (int j = 1; j <= holeCount; j++)
                {
                    int h = hole[j];
                    if (!IsDeleted(t, h))
                        AddRepairCandidate<TMetric>(t, s, nv, h, ref n);
                }
            }
            HnswScratch.SortClosestFirst(s.Sorted.AsSpan(0, n));
            int selected = SelectNeighbors<TMetric>(t, s, s.Sorted, n, max);
            for (int i = 0; i < selected; i++)
                list[1 + i] = s.Selected[i].Node;
            Volatile.Write(ref *list, selected);
        }
        finally
        {
            UnlockNode(node);
        }
    }

    private void AddRepairCandidate<TMetric>(NodeTables t, HnswScratch s, float* nv, int c, ref int n) where TMetric : struct, IScanMetric
    {
        if (s.Tags[c] == s.Generation)
            return;
        s.Tags[c] = s.Generation;
        s.Sorted[n++] = new HnswCandidate(Distance<TMetric>(nv, VectorOf(t, c)), c);
    }

    private void MoveEntryOffDeleted(NodeTables t)
    {
        int ep = UnpackNode(_entry);
        if (ep < 0 || !IsDeleted(t, ep))
            return;
        int best = -1, bestLevel = -1;
        for (int node = 0; node < _nodeCount; node++)
        {
            if (!IsDeleted(t, node) && LevelOf(t, node) > bestLevel)
            {
                best = node;
                bestLevel = LevelOf(t, node);
            }
        }
        // No live node left: keep the old entry (searches walk it and admit nothing).
        if (best < 0)
            return;
        lock (_entryLock)
            Volatile.Write(ref _entry, PackEntry(best, bestLevel));
    }
}
