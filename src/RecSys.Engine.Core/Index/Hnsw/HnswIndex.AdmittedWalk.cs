using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using RecSys.Engine.Core.Index.Scan;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// The admitted-only walk for wide filters (ACORN-1, Patel et al., SIGMOD 2024): the walk expands only nodes the
/// filter admits, and where a node has few admitted neighbours it looks through the others to their neighbours
/// (two hops), so the admitted subgraph stays connected without extra links.
/// <code>
///   entry -> descent, top level .. 1: greedy over admitted nodes (one and two hops); while the current node is
///            not admitted yet, plain greedy steps, jumping to the first admitted node seen        (DescendAdmitted)
///         -> level 0: the sorted beam (SearchBeam) fed by CollectAdmitted: every entry is admitted, so the beam's
///            stop rule ends the walk once ef admitted nodes are closer than anything left to expand
///         -> no admitted entry found, or fewer than k results: the traverse-everything walk (SearchLayer), as before
/// </code>
/// Why: the traverse-everything walk (hnswlib's) keeps every node closer than its ef-th admitted result in play. When
/// the filter's items sit in other regions of the space than the query (categories that follow the embedding, a
/// query from a category the filter leaves out), that is the whole region around the query: tens of thousands of
/// nodes at 1M. The admitted-only walk never enters that region beyond two hops (bench/results/hnsw-acorn-filtered-2026-12-07).
/// </summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// A node whose list names fewer admitted, unvisited nodes than this also reads its other neighbours' lists.
    /// </summary>
    private int TwoHopBelow => Options.AdmittedWalkTwoHopBelow ?? _m0;

    /// <summary>
    /// Filtered search by the admitted-only walk; falls back to <see cref="SearchGraph{TMetric, TAdmit}"/> (which
    /// finds every admitted node the graph reaches) when it finds no admitted entry or fewer than k results.
    /// </summary>
    private void SearchAdmitted<TMetric, TAdmit>(NodeTables t, HnswScratch s, float* q, int k, long* outIds, float* outDist, int ef, TAdmit admit, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TAdmit : struct, IAdmit
    {
        long entry = Volatile.Read(ref _entry);
        int ep = UnpackNode(entry);
        if (ep >= 0)
        {
            float epDist = Distance<TMetric>(q, VectorOf(t, ep));
            int top = UnpackLevel(entry);
            if (DescendAdmitted<TMetric, TAdmit>(t, s, q, ref ep, ref epDist, top, admit, ct))
            {
                ef = Math.Max(ef, k);
                int upperEf = Options.AdmittedWalkUpperEf ?? ef;
                s.EnsureHeaps(Math.Max(ef, upperEf));
                var rows = new Float32Rows(t, Dimension, RowStrideFloats);
                s.Beam[0] = new HnswCandidate(epDist, ep);
                int seeds = 1;
                // Level 1 by a beam too, not one greedy node: its admitted nodes near the query, often in several of
                // the filter's regions, are level 0's starting points.
                if (top >= 1 && upperEf > 1)
                    seeds = SearchBeam<TMetric, Float32Rows, TAdmit>(t, s, q, 1, upperEf, 1, rows, admit, ct);
                int size = SearchBeam<TMetric, Float32Rows, TAdmit>(t, s, q, seeds, ef, 0, rows, admit, ct);
                if (size >= k)
                {
                    ref HnswCandidate b = ref MemoryMarshal.GetArrayDataReference(s.Beam);
                    for (int i = 0; i < k; i++)
                    {
                        var c = Unsafe.Add(ref b, i);
                        outIds[i] = *LabelOf(t, c.Node & int.MaxValue);
                        outDist[i] = c.Distance;
                    }
                    return;
                }
            }
        }
        SearchGraph<TMetric, TAdmit>(t, s, q, k, outIds, outDist, ef, admit, ct);
    }

    /// <summary>
    /// Greedy descent from <paramref name="fromLevel"/> to level 1 that ends on an admitted node where it can. While the
    /// current node is not admitted, each step scores its whole list (the plain greedy rule) and takes the first
    /// admitted neighbour it meets at any distance; at a local minimum it also looks two hops out for admitted nodes.
    /// Once on an admitted node it moves only to closer admitted nodes, one or two hops away. Returns whether
    /// <paramref name="cur"/> is admitted.
    /// </summary>
    private bool DescendAdmitted<TMetric, TAdmit>(NodeTables t, HnswScratch s, float* q, ref int cur, ref float curDist, int fromLevel, TAdmit admit, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TAdmit : struct, IAdmit
    {
        bool admitted = admit.Admit(cur);
        int* hopIds = stackalloc int[_m0];
        int* bridges = stackalloc int[_m0];
        int prefetchBytes = Sse.IsSupported ? Dimension * sizeof(float) : 0;
        int hops = 0;
        for (int level = fromLevel; level > 0; level--)
        {
            // A new visited set per level: a node looked through on one level has another list on the next.
            s.BeginVisit(t.Chunks << ChunkShift);
            ushort gen = s.Generation;
            int tagCount = s.Tags.Length;
            fixed (ushort* tags = s.Tags)
            {
                tags[cur] = gen;
                bool changed = true;
                while (changed)
                {
                    changed = false;
                    if (++hops % CancelCheckHops == 0 && ct.IsCancellationRequested)
                        ct.ThrowIfCancellationRequested();
                    if (!admitted)
                    {
                        int* list = LinksOf(t, cur, level);
                        int count = Math.Min(Volatile.Read(ref *list), _m);
                        PrefetchRows(t, list + 1, count, prefetchBytes);
                        for (int j = 1; j <= count; j++)
                        {
                            int n = list[j];
                            float d = Distance<TMetric>(q, VectorOf(t, n));
                            if (admit.Admit(n))
                            {
                                if (!admitted || d < curDist)
                                {
                                    (cur, curDist, admitted, changed) = (n, d, true, true);
                                }
                            }
                            else if (!admitted && d < curDist)
                            {
                                (cur, curDist, changed) = (n, d, true);
                            }
                        }
                        if (changed)
                        {
                            tags[cur] = gen;
                            continue;
                        }
                    }
                    // Admitted nodes one or two hops away (also the way out of a non-admitted local minimum).
                    int m = CollectAdmitted(t, cur, level, tags, gen, tagCount, hopIds, bridges, admit);
                    PrefetchRows(t, hopIds, m, prefetchBytes);
                    for (int j = 0; j < m; j++)
                    {
                        int n = hopIds[j];
                        float d = Distance<TMetric>(q, VectorOf(t, n));
                        if (!admitted || d < curDist)
                        {
                            (cur, curDist, admitted, changed) = (n, d, true, true);
                        }
                    }
                }
            }
        }
        return admitted;
    }

    /// <summary>
    /// The nodes one hop of the admitted-only walk scores from <paramref name="node"/> on <paramref name="level"/>:
    /// its unvisited admitted neighbours, then, while there are fewer than <see cref="TwoHopBelow"/> of them, the
    /// unvisited admitted neighbours of its other neighbours (the bridges), at most one list's worth (the level's link
    /// count) in all. Marks what it returns as visited, and each bridge whose list it read to the end (its admitted
    /// neighbours are all in, now or earlier). Returns the count written to <paramref name="hopIds"/>.
    /// </summary>
    private int CollectAdmitted<TAdmit>(NodeTables t, int node, int level, ushort* tags, ushort gen, int tagCount, int* hopIds, int* bridges, TAdmit admit)
        where TAdmit : struct, IAdmit
    {
        int cap = MaxLinks(level);
        int* list = LinksOf(t, node, level);
        int count = Math.Min(Volatile.Read(ref *list), cap);
        int m = 0, nb = 0;
        // The filter reads each node's label: start all the list's misses before the first test.
        if (Sse.IsSupported)
        {
            for (int j = 1; j <= count; j++)
            {
                int n = list[j];
                if ((uint)n < (uint)tagCount)
                    Sse.Prefetch0(LabelOf(t, n));
            }
        }
        for (int j = 1; j <= count; j++)
        {
            int n = list[j];
            if ((uint)n >= (uint)tagCount || tags[n] == gen)
                continue;
            if (admit.Admit(n))
            {
                tags[n] = gen;
                hopIds[m++] = n;
            }
            else
            {
                bridges[nb++] = n;
            }
        }
        if (m >= TwoHopBelow || nb == 0)
            return m;
        if (Sse.IsSupported)
        {
            for (int b = 0; b < nb; b++)
                Sse.Prefetch0(LinksOf(t, bridges[b], level));
        }
        for (int b = 0; b < nb && m < cap; b++)
        {
            int bridge = bridges[b];
            int* l2 = LinksOf(t, bridge, level);
            int c2 = Math.Min(Volatile.Read(ref *l2), cap);
            if (Sse.IsSupported)
            {
                for (int j2 = 1; j2 <= c2; j2++)
                {
                    int n = l2[j2];
                    if ((uint)n < (uint)tagCount && tags[n] != gen)
                        Sse.Prefetch0(LabelOf(t, n));
                }
            }
            int j = 1;
            for (; j <= c2 && m < cap; j++)
            {
                int n = l2[j];
                if ((uint)n >= (uint)tagCount || tags[n] == gen)
                    continue;
                if (admit.Admit(n))
                {
                    tags[n] = gen;
                    hopIds[m++] = n;
                }
            }
            if (j > c2)
                tags[bridge] = gen;
        }
        return m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchRows(NodeTables t, int* nodes, int count, int prefetchBytes)
    {
        for (int j = 0; j < count; j++)
        {
            byte* v = (byte*)VectorOf(t, nodes[j]);
            for (int off = 0; off < prefetchBytes; off += 64)
                Sse.Prefetch0(v + off);
        }
    }
}
