using System.Runtime.Intrinsics.X86;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>Greedy descent through the upper levels: the search's and the insert's way down to a good entry point.</summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// Greedy walk on levels fromLevel .. toLevel+1: move to a closer neighbour until none is closer.
    /// <para>
    /// Before scoring a node's list it prefetches every line of every neighbour's row, as the level-0 beam does
    /// (<see cref="SearchBeam{TMetric, TRows, TAdmit}"/>): the upper levels' rows are rarely in cache, and scoring each row
    /// as it was read left every miss exposed, one after another (the 2026-12-04 profile in bench/results/hnsw.md:
    /// the descent was 17% of a search against hnswlib's ~6%). Prefetch is only a hint, so the walk, the nodes it
    /// scores and where it ends are the same with or without it; <see cref="HnswOptions.PlainDescent"/> keeps the
    /// old loop for the test that says so and for the A/B harness.
    /// </para>
    /// </summary>
    private void GreedyDescend<TMetric>(NodeTables t, float* q, ref int cur, ref float curDist, int fromLevel, int toLevel, CancellationToken ct)
        where TMetric : struct, IScanMetric
    {
        int prefetchBytes = !Options.PlainDescent && Sse.IsSupported ? Dimension * sizeof(float) : 0;
        int hops = 0;
        for (int level = fromLevel; level > toLevel; level--)
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                int* list = LinksOf(t, cur, level);
                int count = Volatile.Read(ref *list);
                if (prefetchBytes > 0)
                {
                    // All of the list's misses start here and overlap, instead of one per distance below.
                    for (int j = 1; j <= count; j++)
                    {
                        byte* v = (byte*)VectorOf(t, list[j]);
                        for (int off = 0; off < prefetchBytes; off += 64)
                            Sse.Prefetch0(v + off);
                    }
                }
                for (int j = 1; j <= count; j++)
                {
                    int n = list[j];
                    float d = Distance<TMetric>(q, VectorOf(t, n));
                    if (d < curDist)
                    {
                        curDist = d;
                        cur = n;
                        changed = true;
                    }
                }
                if (++hops % CancelCheckHops == 0 && ct.IsCancellationRequested)
                    ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>
    /// Tests only: the descent of a search for <paramref name="query"/> (already normalised for cosine) from the entry
    /// point to level 0. Returns the level-0 entry and its key, and the top level.
    /// </summary>
    internal (int Node, float Key, int TopLevel) DescendForTest(ReadOnlySpan<float> query)
    {
        ThrowIfDisposed();
        if (query.Length != Dimension)
            throw new ArgumentException($"query has {query.Length} values; the index has dimension {Dimension}", nameof(query));
        var t = Volatile.Read(ref _tables);
        long entry = Volatile.Read(ref _entry);
        int ep = UnpackNode(entry);
        if (ep < 0)
            return (-1, float.PositiveInfinity, -1);
        fixed (float* q = query)
        {
            if (Metric == DistanceMetric.L2)
            {
                float d = Distance<SquaredL2ScanMetric>(q, VectorOf(t, ep));
                GreedyDescend<SquaredL2ScanMetric>(t, q, ref ep, ref d, UnpackLevel(entry), 0, CancellationToken.None);
                return (ep, d, UnpackLevel(entry));
            }
            else
            {
                float d = Distance<NegatedDotScanMetric>(q, VectorOf(t, ep));
                GreedyDescend<NegatedDotScanMetric>(t, q, ref ep, ref d, UnpackLevel(entry), 0, CancellationToken.None);
                return (ep, d, UnpackLevel(entry));
            }
        }
    }
}
