using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using RecSys.Engine.Core.Index.Scan;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// The beam loops on one level: the sorted beam (<see cref="SearchBeam{TMetric, TRows, TAdmit}"/>) for unfiltered
/// searches without deletions, the two heaps (<see cref="SearchLayer{TMetric, TAdmit}"/>) for everything else (filters,
/// deletions, inserts on every level; <see cref="HnswOptions.TwoHeapBeam"/> forces them for the A/B harness).
/// Both admit exactly the same nodes (hnswlib's rule), so they return the same answers. The sorted beam with a filter
/// is the admitted-only walk's (HnswIndex.AdmittedWalk.cs), which expands other nodes and answers differently.
/// <para>
/// Prefetch, measured in bench/results/hnsw.md ("Prefetch, measured"): every line of every unvisited neighbour's
/// row before the first is scored (+15-30% against none or two lines per row), and the next hop's link list
/// (no difference beyond noise, kept: one instruction per hop). Both were environment-variable knobs for that
/// measurement; settled, they are fixed now, on wherever SSE (the prefetch instruction) is.
/// </para>
/// </summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// Beam search on one level (hnswlib's searchBaseLayerST). Every node is traversed; only nodes the
    /// admission rule accepts enter the results. Results end in s.Results (a max-heap of at most ef).
    /// </summary>
    private void SearchLayer<TMetric, TAdmit>(NodeTables t, HnswScratch s, float* q, int ep, float epDist, int ef, int level, TAdmit admit, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TAdmit : struct, IAdmit
    {
        s.BeginVisit(t.Chunks << ChunkShift);
        ushort gen = s.Generation;
        int tagCount = s.Tags.Length;
        fixed (ushort* tags = s.Tags)
        {
            tags[ep] = gen;
            float lowerBound;
            if (TAdmit.AdmitsAll || admit.Admit(ep))
            {
                s.Results.Push(new HnswCandidate(epDist, ep));
                lowerBound = epDist;
            }
            else
            {
                lowerBound = float.PositiveInfinity;
            }
            s.Candidates.Push(new HnswCandidate(epDist, ep));
            int prefetchBytes = Sse.IsSupported ? Dimension * sizeof(float) : 0;
            int hops = 0;

            while (s.Candidates.Count > 0)
            {
                var cur = s.Candidates.Top;
                // Stop when the closest open candidate is farther than the worst kept result and the beam is full
                // (an unfiltered beam may stop even when not full: nothing closer can come).
                if (cur.Distance > lowerBound && (s.Results.Count == ef || TAdmit.AdmitsAll))
                    break;
                s.Candidates.Pop();
                if (++hops % CancelCheckHops == 0 && ct.IsCancellationRequested)
                    ct.ThrowIfCancellationRequested();

                int* list = LinksOf(t, cur.Node, level);
                int count = Volatile.Read(ref *list);
                int* ids = list + 1;
                if (prefetchBytes > 0)
                {
                    // Issue every unvisited neighbour's vector loads before the first distance: the misses overlap.
                    for (int j = 0; j < count; j++)
                    {
                        int n = ids[j];
                        if ((uint)n < (uint)tagCount && tags[n] != gen)
                        {
                            byte* v = (byte*)VectorOf(t, n);
                            for (int off = 0; off < prefetchBytes; off += 64)
                                Sse.Prefetch0(v + off);
                        }
                    }
                }
                for (int j = 0; j < count; j++)
                {
                    int n = ids[j];
                    if ((uint)n >= (uint)tagCount || tags[n] == gen)
                        continue;
                    tags[n] = gen;
                    float d = Distance<TMetric>(q, VectorOf(t, n));
                    if (s.Results.Count < ef || d < lowerBound)
                    {
                        s.Candidates.Push(new HnswCandidate(d, n));
                        if (TAdmit.AdmitsAll || admit.Admit(n))
                        {
                            s.Results.Push(new HnswCandidate(d, n));
                            if (s.Results.Count > ef)
                                s.Results.Pop();
                        }
                        if (s.Results.Count > 0)
                            lowerBound = s.Results.Top.Distance;
                    }
                }
                // The next hop reads the closest candidate's list: start that miss now.
                if (Sse.IsSupported && s.Candidates.Count > 0)
                    Sse.Prefetch0(LinksOf(t, s.Candidates.Top.Node, level));
            }
        }
    }

    /// <summary>
    /// Unfiltered level-0 beam search with one sorted array of at most ef entries (DiskANN's
    /// NeighborPriorityQueue) in place of the two heaps: the array is both the candidate set and the result
    /// set; an entry's node has its top bit set once expanded, and a cursor points at the closest entry not yet
    /// expanded. It visits the same nodes as the two-heap loop (hnswlib's rule: a node enters when the beam is
    /// not full or it beats the worst kept). Each hop runs in three tight passes: collect, mark and prefetch the
    /// unvisited neighbours; score them; insert them. Between scoring and inserting it already knows the next hop
    /// (the best new neighbour if it beats the beam's next open entry, else that entry) and starts the miss on
    /// its link list. The walk starts from the <paramref name="seeds"/> entries the caller put in s.Beam, closest
    /// first. Returns the beam's size; s.Beam holds it closest first (ties: smaller node).
    /// <para>
    /// With a filter (<typeparamref name="TAdmit"/> not <see cref="AdmitAll"/>) it is the admitted-only walk's beam on
    /// <paramref name="level"/>: a hop scores what <see cref="CollectAdmitted{TAdmit}"/> returns, so every entry is
    /// admitted. Without one, <paramref name="level"/> is 0.
    /// </para>
    /// </summary>
    private int SearchBeam<TMetric, TRows, TAdmit>(NodeTables t, HnswScratch s, float* q, int seeds, int ef, int level, TRows rows, TAdmit admit, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TRows : struct, IBeamRows
        where TAdmit : struct, IAdmit
    {
        s.BeginVisit(t.Chunks << ChunkShift);
        ushort gen = s.Generation;
        int tagCount = s.Tags.Length;
        int prefetchBytes = Sse.IsSupported ? rows.RowBytes : 0;
        int hops = 0;
        int* hopIds = stackalloc int[_m0];
        float* hopDist = stackalloc float[_m0];
        int* bridges = stackalloc int[TAdmit.AdmitsAll ? 0 : _m0];
        fixed (ushort* tags = s.Tags)
        fixed (HnswCandidate* beam = s.Beam)
        {
            int size = Math.Min(seeds, ef);
            for (int i = 0; i < size; i++)
            {
                beam[i].Node &= int.MaxValue;
                tags[beam[i].Node] = gen;
            }
            int cursor = 0;
            while (cursor < size)
            {
                int node = beam[cursor].Node;
                beam[cursor].Node = node | int.MinValue;
                cursor++;
                if (++hops % CancelCheckHops == 0 && ct.IsCancellationRequested)
                    ct.ThrowIfCancellationRequested();

                int m = 0;
                if (TAdmit.AdmitsAll)
                {
                    int* list = LinksOf(t, node, 0);
                    int count = Math.Min(Volatile.Read(ref *list), _m0);
                    int* ids = list + 1;
                    for (int j = 0; j < count; j++)
                    {
                        int n = ids[j];
                        if ((uint)n >= (uint)tagCount || tags[n] == gen)
                            continue;
                        tags[n] = gen;
                        hopIds[m++] = n;
                        byte* v = rows.RowOf(n);
                        for (int off = 0; off < prefetchBytes; off += 64)
                            Sse.Prefetch0(v + off);
                    }
                }
                else
                {
                    m = CollectAdmitted(t, node, level, tags, gen, tagCount, hopIds, bridges, admit);
                    for (int j = 0; j < m; j++)
                    {
                        byte* v = rows.RowOf(hopIds[j]);
                        for (int off = 0; off < prefetchBytes; off += 64)
                            Sse.Prefetch0(v + off);
                    }
                }
                float bestD = float.PositiveInfinity;
                int bestN = -1;
                for (int j = 0; j < m; j++)
                {
                    float dj = rows.Key<TMetric>(q, hopIds[j]);
                    hopDist[j] = dj;
                    if (dj < bestD)
                    {
                        bestD = dj;
                        bestN = hopIds[j];
                    }
                }
                if (Sse.IsSupported)
                {
                    // The next hop expands the closest open entry: the best new neighbour if it beats the
                    // beam's next open entry (then it is inserted), else that entry.
                    int c2 = cursor;
                    while (c2 < size && beam[c2].Node < 0)
                        c2++;
                    int next = c2 < size && !(bestD < beam[c2].Distance) ? beam[c2].Node : bestN;
                    if (next >= 0)
                        Sse.Prefetch0(LinksOf(t, next, TAdmit.AdmitsAll ? 0 : level));
                }
                for (int j = 0; j < m; j++)
                {
                    float d = hopDist[j];
                    int n = hopIds[j];
                    if (size == ef && !(d < beam[size - 1].Distance))
                        continue;
                    int lo = 0, hi = size;
                    while (lo < hi)
                    {
                        int mid = (lo + hi) >> 1;
                        float md = beam[mid].Distance;
                        if (md < d || (md == d && (beam[mid].Node & int.MaxValue) < n))
                            lo = mid + 1;
                        else
                            hi = mid;
                    }
                    int moved = (size == ef ? size - 1 : size) - lo;
                    if (moved > 0)
                        Buffer.MemoryCopy(beam + lo, beam + lo + 1, (long)moved * sizeof(HnswCandidate), (long)moved * sizeof(HnswCandidate));
                    beam[lo] = new HnswCandidate(d, n);
                    if (size < ef)
                        size++;
                    if (lo < cursor)
                        cursor = lo;
                }
                while (cursor < size && beam[cursor].Node < 0)
                    cursor++;
            }
            return size;
        }
    }

    /// <summary>The rows the level-0 beam scores: a struct per representation, so the loop is compiled once for each.</summary>
    private interface IBeamRows
    {
        int RowBytes { get; }

        byte* RowOf(int node);

        float Key<TMetric>(float* q, int node) where TMetric : struct, IScanMetric;
    }

    private readonly struct Float32Rows(NodeTables t, int dimension, int strideFloats) : IBeamRows
    {
        private readonly nint* _chunks = t.VectorsPtr;

        public int RowBytes => dimension * sizeof(float);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public byte* RowOf(int node) => (byte*)((float*)_chunks[node >> ChunkShift] + (nint)(node & ChunkMask) * strideFloats);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Key<TMetric>(float* q, int node) where TMetric : struct, IScanMetric =>
            TMetric.Score(new ReadOnlySpan<float>(q, dimension), new ReadOnlySpan<float>(RowOf(node), dimension));
    }
}
