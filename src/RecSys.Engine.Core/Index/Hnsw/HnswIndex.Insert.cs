using System.Runtime.InteropServices;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// Insert (hnswlib's addPoint):
/// <code>
///   Add(batch) under the writer lock: validate all rows -> grow chunks -> write vectors, labels, levels
///     -> link the nodes, Parallel.For across cores (or in order when BuildThreads = 1):
///        greedy descent to the node's level, then per level: beam search with ef construction,
///        heuristic selection of M, link both ways (a full neighbour list is re-pruned by the heuristic)
///     -> publish the count
/// </code>
/// The level of node i is drawn from a hash of (seed, i), not a shared random stream, so a parallel build
/// draws the same levels as a sequential one and a sequential build is fully deterministic.
/// </summary>
public sealed unsafe partial class HnswIndex
{
    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        ThrowIfDisposed();
        if ((long)ids.Length * Dimension != vectors.Length)
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * Dimension} floats of dimension {Dimension}; got {vectors.Length}", nameof(vectors));
        if (ids.IsEmpty)
            return;

        lock (_writeLock)
        {
            ThrowIfDisposed();
            EnsureIdMap();
            // Validate the whole batch first: a bad row never leaves half a batch in the graph.
            AddValidation.ValidateBatch(ids, vectors, Dimension, Metric, _ordinalOf!);
            if ((long)_nodeCount + ids.Length > int.MaxValue - ChunkSize)
                throw new InvalidOperationException($"the index holds {_nodeCount} nodes; {ids.Length} more would pass the int32 node limit");

            int first = _nodeCount;
            int end = first + ids.Length;
            EnsureCapacity(end);
            var t = _tables;
            for (int r = 0; r < ids.Length; r++)
                WriteNode(t, first + r, ids[r], vectors.Slice(r * Dimension, Dimension));

            int threads = Options.BuildThreads <= 0 ? Environment.ProcessorCount : Options.BuildThreads;
            int start = first;
            if (UnpackNode(_entry) < 0)
            {
                // The first node becomes the entry point before any other node looks for one.
                Link(t, start++);
            }
            if (threads == 1 || end - start < 2)
            {
                for (int node = start; node < end; node++)
                    Link(t, node);
            }
            else
            {
                LinkParallel(t, start, end, threads);
            }
            for (int r = 0; r < ids.Length; r++)
                _ordinalOf!.Add(ids[r], first + r);
            Volatile.Write(ref _nodeCount, end);
            Volatile.Write(ref _liveCount, _liveCount + ids.Length);
        }
    }

    // Separate method: the lambda's closure would otherwise be allocated on the sequential path too.
    private void LinkParallel(NodeTables t, int start, int end, int threads) =>
        Parallel.For(start, end, new ParallelOptions { MaxDegreeOfParallelism = threads }, node => Link(t, node));

    private void WriteNode(NodeTables t, int node, long label, ReadOnlySpan<float> row)
    {
        var dst = new Span<float>(VectorOf(t, node), Dimension);
        row.CopyTo(dst);
        new Span<float>(VectorOf(t, node) + Dimension, RowStrideFloats - Dimension).Clear();
        if (Metric == DistanceMetric.Cosine)
            CosineSimilarity.Normalize(dst);
        if (Bf16StrideUShorts > 0)
            WriteBf16Row(t, node);
        *LabelOf(t, node) = label;
        int level = DrawLevel(node);
        *Links0Of(t, node) = 0;
        if (level > 0)
        {
            nuint ints = (nuint)level * (nuint)_upperStride;
            *UpperSlotOf(t, node) = (nint)NativeMemory.AllocZeroed(ints, sizeof(int));
            Interlocked.Add(ref _upperInts, (long)ints);
        }
        *MetaOf(t, node) = level;
    }

    /// <summary>The node's float32 row (already normalised for cosine) rounded into its bfloat16 row; padding zeroed.</summary>
    private void WriteBf16Row(NodeTables t, int node)
    {
        var dst = new Span<ushort>(Bf16Of(t, node), Bf16StrideUShorts);
        BFloat16.FromSingle(new ReadOnlySpan<float>(VectorOf(t, node), Dimension), dst);
        dst[Dimension..].Clear();
    }

    /// <summary>floor(-ln(u) * mL) with u from a hash of (seed, node): the paper's level distribution.</summary>
    private int DrawLevel(int node)
    {
        var rng = new SplitMix64(Options.Seed * 0x9E3779B97F4A7C15UL ^ (ulong)node);
        ulong bits = rng.Next() >> 11; // 53 bits
        double u = (bits + 1.0) / (1UL << 53); // (0, 1]
        return Math.Min(MaxLevel, (int)(-Math.Log(u) * _levelMult));
    }

    private void Link(NodeTables t, int node)
    {
        var s = HnswScratch.Rent();
        try
        {
            if (Metric == DistanceMetric.L2)
                Link<SquaredL2ScanMetric>(t, node, s);
            else
                Link<NegatedDotScanMetric>(t, node, s);
        }
        finally
        {
            HnswScratch.Return(s);
        }
    }

    private void Link<TMetric>(NodeTables t, int node, HnswScratch s) where TMetric : struct, IScanMetric
    {
        int level = LevelOf(t, node);
        long entry = Volatile.Read(ref _entry);
        int ep = UnpackNode(entry);
        int top = UnpackLevel(entry);
        if (ep < 0)
        {
            lock (_entryLock)
            {
                if (UnpackNode(_entry) < 0)
                {
                    Volatile.Write(ref _entry, PackEntry(node, level));
                    return;
                }
                entry = _entry;
                ep = UnpackNode(entry);
                top = UnpackLevel(entry);
            }
        }

        float* q = VectorOf(t, node);
        s.EnsureHeaps(Math.Max(Options.EfConstruction, _m0 + 1));
        float epDist = Distance<TMetric>(q, VectorOf(t, ep));
        if (level < top)
            GreedyDescend<TMetric>(t, q, ref ep, ref epDist, top, level, CancellationToken.None);

        // Choose top-down (each level's search starts from the level above), publish bottom-up: a reader that
        // reaches the node through an upper-level link must find its lower lists already in place, or a search
        // could descend onto a node with an empty level-0 list and stop there.
        int levels = Math.Min(level, top) + 1;
        Span<HnswCandidate> chosen = stackalloc HnswCandidate[levels * _m];
        Span<int> chosenCount = stackalloc int[levels];
        for (int lc = levels - 1; lc >= 0; lc--)
        {
            SearchLayer<TMetric, AdmitAll>(t, s, q, ep, epDist, Options.EfConstruction, lc, default, CancellationToken.None);
            int n = s.DrainResultsSorted();
            // Deleted nodes guide the search but never become anyone's neighbour.
            int kept = 0;
            for (int i = 0; i < n; i++)
            {
                if (s.Sorted[i].Node != node && !IsDeleted(t, s.Sorted[i].Node))
                    s.Sorted[kept++] = s.Sorted[i];
            }
            chosenCount[lc] = 0;
            if (kept == 0)
                continue;
            ep = s.Sorted[0].Node;
            epDist = s.Sorted[0].Distance;
            int selected = SelectNeighbors<TMetric>(t, s, s.Sorted, kept, _m);
            s.Selected.AsSpan(0, selected).CopyTo(chosen.Slice(lc * _m, selected));
            chosenCount[lc] = selected;
        }

        for (int lc = 0; lc < levels; lc++)
        {
            var mine = chosen.Slice(lc * _m, chosenCount[lc]);
            // Own list first (nobody links to us yet at this level), then the reverse links.
            int* own = LinksOf(t, node, lc);
            LockNode(node);
            for (int i = 0; i < mine.Length; i++)
                own[1 + i] = mine[i].Node;
            Volatile.Write(ref *own, mine.Length);
            UnlockNode(node);
            foreach (var c in mine)
                Connect<TMetric>(t, s, c.Node, node, c.Distance, lc);
        }

        if (level > top)
        {
            lock (_entryLock)
            {
                if (level > UnpackLevel(_entry))
                    Volatile.Write(ref _entry, PackEntry(node, level));
            }
        }
    }

    /// <summary>Adds <paramref name="newNode"/> to the list of <paramref name="target"/>; a full list is re-pruned by the heuristic.</summary>
    private void Connect<TMetric>(NodeTables t, HnswScratch s, int target, int newNode, float distance, int level)
        where TMetric : struct, IScanMetric
    {
        int max = MaxLinks(level);
        int* list = LinksOf(t, target, level);
        LockNode(target);
        try
        {
            int count = *list;
            for (int i = 1; i <= count; i++)
            {
                if (list[i] == newNode)
                    return;
            }
            if (count < max)
            {
                list[1 + count] = newNode;
                Volatile.Write(ref *list, count + 1);
                return;
            }
            float* tv = VectorOf(t, target);
            if (s.Sorted.Length < max + 1)
                s.Sorted = new HnswCandidate[Math.Max(max + 1, s.Sorted.Length * 2)];
            var pool = s.Sorted;
            pool[0] = new HnswCandidate(distance, newNode);
            for (int i = 0; i < count; i++)
            {
                int n = list[1 + i];
                pool[1 + i] = new HnswCandidate(Distance<TMetric>(tv, VectorOf(t, n)), n);
            }
            int total = count + 1;
            HnswScratch.SortClosestFirst(pool.AsSpan(0, total));
            int selected = SelectNeighbors<TMetric>(t, s, pool, total, max);
            for (int i = 0; i < selected; i++)
                list[1 + i] = s.Selected[i].Node;
            Volatile.Write(ref *list, selected);
        }
        finally
        {
            UnlockNode(target);
        }
    }

    /// <summary>
    /// The paper's heuristic (algorithm 4): walking candidates closest first, keep one only if it is closer to
    /// the base than to every kept neighbour, so links spread in different directions. With
    /// KeepPrunedConnections the list is topped up with the rejects, closest first. Writes s.Selected.
    /// </summary>
    private int SelectNeighbors<TMetric>(NodeTables t, HnswScratch s, HnswCandidate[] sorted, int count, int max)
        where TMetric : struct, IScanMetric
    {
        if (s.Selected.Length < max)
            s.Selected = new HnswCandidate[max];
        if (count <= max)
        {
            Array.Copy(sorted, s.Selected, count);
            return count;
        }
        int selected = 0, pruned = 0;
        bool keepPruned = Options.KeepPrunedConnections;
        if (keepPruned && s.Pruned.Length < count)
            s.Pruned = new HnswCandidate[count];
        for (int i = 0; i < count && selected < max; i++)
        {
            var c = sorted[i];
            float* cv = VectorOf(t, c.Node);
            bool good = true;
            for (int j = 0; j < selected; j++)
            {
                if (Distance<TMetric>(cv, VectorOf(t, s.Selected[j].Node)) < c.Distance)
                {
                    good = false;
                    break;
                }
            }
            if (good)
                s.Selected[selected++] = c;
            else if (keepPruned)
                s.Pruned[pruned++] = c;
        }
        for (int i = 0; i < pruned && selected < max; i++)
            s.Selected[selected++] = s.Pruned[i];
        return selected;
    }

    /// <summary>Builds the external id -> node map (a loaded index skips it until its first write).</summary>
    private void EnsureIdMap()
    {
        if (_ordinalOf is not null)
            return;
        var t = _tables;
        var map = new Dictionary<long, int>(_nodeCount);
        for (int node = 0; node < _nodeCount; node++)
        {
            if (!IsDeleted(t, node))
                map[*LabelOf(t, node)] = node;
        }
        _ordinalOf = map;
    }
}
