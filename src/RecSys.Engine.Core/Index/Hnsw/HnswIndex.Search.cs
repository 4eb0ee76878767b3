using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// Search:
/// <code>
///   query -> (cosine: normalise into the thread's scratch)
///         -> filter planner: none | allows &lt; ExactFilterThreshold of the items -> exact scan of allowed ids
///                                 | otherwise graph search admitting only allowed, live nodes to the beam's results
///         -> greedy descent, top level .. 1 (one best node per level)
///         -> beam search on level 0 with ef, visited tags: unfiltered, one sorted beam array (SearchBeam) over
///            the float32 rows, or over the bfloat16 rows and then re-scored on float32 (BFloat16Traversal);
///            filtered or with deletions, candidates min-heap + results max-heap (SearchLayer)
///         -> k closest labels, distances in the metric's convention
/// </code>
/// The search loop is generic over the metric and the admission rule (struct type parameters), so the
/// unfiltered, no-deletion path carries no filter branch at all.
/// </summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>Hops between two looks at the cancellation token.</summary>
    private const int CancelCheckHops = 64;

    /// <summary>
    /// Cache lines of each unvisited neighbour's vector to prefetch before scoring any of them (0 = off; all
    /// lines of the row by default). RECSYS_HNSW_PREFETCH_LINES overrides it, for measuring.
    /// </summary>
    private static readonly int s_prefetchLines = !Sse.IsSupported ? 0
        : int.TryParse(Environment.GetEnvironmentVariable("RECSYS_HNSW_PREFETCH_LINES"), out int lines) ? Math.Max(0, lines) : int.MaxValue;

    private static readonly bool s_prefetchLinks = Sse.IsSupported && Environment.GetEnvironmentVariable("RECSYS_HNSW_PREFETCH_LINKS") != "0";

    private int _deletedCount;

    public void Search(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters = null) =>
        Search(queries, k, ids, distances, parameters, CancellationToken.None);

    /// <summary>
    /// As <see cref="Search(ReadOnlySpan{float}, int, Span{long}, Span{float}, SearchParameters?)"/>, and stops with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires (checked between hops).
    /// </summary>
    public void Search(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        int nq = SearchValidation.QueryCount(queries, Dimension, k, ids, distances);
        if (nq == 0)
            return;
        parameters ??= SearchParameters.Default;
        int ef = parameters.Ef ?? Options.EfSearch;
        if (ef < 1)
            throw new ArgumentOutOfRangeException(nameof(parameters), ef, "SearchParameters.Ef must be at least 1");
        int threads = parameters.MaxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : Math.Min(parameters.MaxDegreeOfParallelism, Environment.ProcessorCount);

        fixed (float* qp = queries)
        fixed (long* ip = ids)
        fixed (float* dp = distances)
        {
            if (nq == 1 || threads == 1)
            {
                for (int q = 0; q < nq; q++)
                    SearchOne(qp + (long)q * Dimension, k, ip + (long)q * k, dp + (long)q * k, ef, parameters.Filter, cancellationToken);
            }
            else
            {
                SearchParallel(qp, nq, k, ip, dp, ef, parameters.Filter, threads, cancellationToken);
            }
        }
    }

    // Separate method: the lambda's closure would otherwise be allocated on every call, sequential ones too.
    private void SearchParallel(float* queries, int nq, int k, long* ids, float* dists, int ef, IdFilter? filter, int threads, CancellationToken ct)
    {
        nint qa = (nint)queries, ia = (nint)ids, da = (nint)dists;
        Parallel.For(0, nq, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct },
            q => SearchOne((float*)qa + (long)q * Dimension, k, (long*)ia + (long)q * k, (float*)da + (long)q * k, ef, filter, ct));
    }

    private void SearchOne(float* query, int k, long* outIds, float* outDist, int ef, IdFilter? filter, CancellationToken ct)
    {
        var s = HnswScratch.Current;
        if (s.Query.Length < Dimension)
            s.Query = new float[Dimension];
        var q = s.Query.AsSpan(0, Dimension);
        new ReadOnlySpan<float>(query, Dimension).CopyTo(q);
        if (Metric == DistanceMetric.Cosine)
            CosineSimilarity.Normalize(q);
        fixed (float* qp = q)
        {
            if (Metric == DistanceMetric.L2)
                SearchOne<SquaredL2ScanMetric>(s, qp, k, outIds, outDist, ef, filter, ct);
            else
                SearchOne<NegatedDotScanMetric>(s, qp, k, outIds, outDist, ef, filter, ct);
        }
        if (Metric == DistanceMetric.Cosine)
        {
            // Keys are -dot; cosine distance is 1 - dot.
            for (int i = 0; i < k; i++)
            {
                if (!float.IsPositiveInfinity(outDist[i]))
                    outDist[i] = 1f + outDist[i];
            }
        }
    }

    private void SearchOne<TMetric>(HnswScratch s, float* q, int k, long* outIds, float* outDist, int ef, IdFilter? filter, CancellationToken ct)
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
        if (filter is AllowBitset bits)
            SearchGraph<TMetric, AdmitLiveFiltered<BitsetRowFilter>>(t, s, q, k, outIds, outDist, ef, new AdmitLiveFiltered<BitsetRowFilter>(t, new BitsetRowFilter(bits)), ct);
        else
            SearchGraph<TMetric, AdmitLiveFiltered<AnyRowFilter>>(t, s, q, k, outIds, outDist, ef, new AdmitLiveFiltered<AnyRowFilter>(t, new AnyRowFilter(filter)), ct);
    }

    /// <summary>
    /// Fraction of live items the filter allows: exact for a bitset (one popcount pass), a fixed sample of
    /// 1,024 evenly spaced nodes for a predicate.
    /// </summary>
    private double EstimateAllowedFraction(NodeTables t, IdFilter filter)
    {
        long live = Count;
        if (live == 0)
            return 0;
        if (filter is AllowBitset bits)
            return Math.Min(1.0, (double)bits.CountAllowed() / live);
        int nodes = NodeCount;
        int samples = Math.Min(nodes, 1024);
        if (samples == 0)
            return 0;
        int allowed = 0, seen = 0;
        for (int i = 0; i < samples; i++)
        {
            int node = (int)((long)i * nodes / samples);
            if (IsDeleted(t, node))
                continue;
            seen++;
            if (filter.Allows(*LabelOf(t, node)))
                allowed++;
        }
        return seen == 0 ? 0 : (double)allowed / seen;
    }

    private void SearchGraph<TMetric, TAdmit>(NodeTables t, HnswScratch s, float* q, int k, long* outIds, float* outDist, int ef, TAdmit admit, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TAdmit : struct, IAdmit
    {
        long entry = Volatile.Read(ref _entry);
        int ep = UnpackNode(entry);
        int found = 0;
        if (ep >= 0)
        {
            float epDist = Distance<TMetric>(q, VectorOf(t, ep));
            GreedyDescend<TMetric>(t, q, ref ep, ref epDist, UnpackLevel(entry), 0, ct);
            ef = Math.Max(ef, k);
            s.EnsureHeaps(ef);
            if (TAdmit.AdmitsAll && SortedBeam)
            {
                int size;
                if (Bf16StrideUShorts > 0)
                {
                    size = SearchBeam<TMetric, Bf16Rows>(t, s, q, ep, epDist, ef, new Bf16Rows(t, Dimension, Bf16StrideUShorts), ct);
                    // Only the head of a wide beam can hold the float32 top k: a bf16 key is off by far less
                    // than the gap to the 4k-th entry. Re-scoring all of ef = 256 cost more than the walk saved.
                    size = Math.Min(size, RescoreDepth(k));
                    RescoreBeam<TMetric>(t, s, q, size);
                }
                else
                {
                    size = SearchBeam<TMetric, Float32Rows>(t, s, q, ep, epDist, ef, new Float32Rows(t, Dimension, RowStrideFloats), ct);
                }
                found = Math.Min(size, k);
                ref HnswCandidate b = ref MemoryMarshal.GetArrayDataReference(s.Beam);
                for (int i = 0; i < found; i++)
                {
                    var c = Unsafe.Add(ref b, i);
                    outIds[i] = *LabelOf(t, c.Node & int.MaxValue);
                    outDist[i] = c.Distance;
                }
                for (int i = found; i < k; i++)
                {
                    outIds[i] = -1;
                    outDist[i] = float.PositiveInfinity;
                }
                return;
            }
            SearchLayer<TMetric, TAdmit>(t, s, q, ep, epDist, ef, 0, admit, ct);
            // Drop the farthest beyond k, then read the rest out closest first.
            while (s.ResultCount > k)
                s.PopResult();
            found = s.DrainResultsSorted();
            for (int i = 0; i < found; i++)
            {
                outIds[i] = *LabelOf(t, s.Sorted[i].Node);
                outDist[i] = s.Sorted[i].Distance;
            }
        }
        for (int i = found; i < k; i++)
        {
            outIds[i] = -1;
            outDist[i] = float.PositiveInfinity;
        }
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Distance<TMetric>(float* a, float* b) where TMetric : struct, IScanMetric =>
        TMetric.Score(new ReadOnlySpan<float>(a, Dimension), new ReadOnlySpan<float>(b, Dimension));

    /// <summary>Greedy walk on levels fromLevel .. toLevel+1: move to a closer neighbour until none is closer.</summary>
    private void GreedyDescend<TMetric>(NodeTables t, float* q, ref int cur, ref float curDist, int fromLevel, int toLevel, CancellationToken ct)
        where TMetric : struct, IScanMetric
    {
        int hops = 0;
        for (int level = fromLevel; level > toLevel; level--)
        {
            bool changed = true;
            while (changed)
            {
                changed = false;
                int* list = LinksOf(t, cur, level);
                int count = Volatile.Read(ref *list);
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
                s.PushResult(epDist, ep);
                lowerBound = epDist;
            }
            else
            {
                lowerBound = float.PositiveInfinity;
            }
            s.PushCandidate(epDist, ep);
            int prefetchBytes = (int)Math.Min((long)s_prefetchLines * 64, Dimension * sizeof(float));
            int hops = 0;

            while (s.CandidateCount > 0)
            {
                var cur = s.Candidates[0];
                // Stop when the closest open candidate is farther than the worst kept result and the beam is full
                // (an unfiltered beam may stop even when not full: nothing closer can come).
                if (cur.Distance > lowerBound && (s.ResultCount == ef || TAdmit.AdmitsAll))
                    break;
                s.PopCandidate();
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
                    if (s.ResultCount < ef || d < lowerBound)
                    {
                        s.PushCandidate(d, n);
                        if (TAdmit.AdmitsAll || admit.Admit(n))
                        {
                            s.PushResult(d, n);
                            if (s.ResultCount > ef)
                                s.PopResult();
                        }
                        if (s.ResultCount > 0)
                            lowerBound = s.Results[0].Distance;
                    }
                }
                // The next hop reads the closest candidate's list: start that miss now.
                if (s_prefetchLinks && s.CandidateCount > 0)
                    Sse.Prefetch0(LinksOf(t, s.Candidates[0].Node, level));
            }
        }
    }

    /// <summary>
    /// Unfiltered searches use <see cref="SearchBeam{TMetric}"/> (true, the default) or the two-heap
    /// <see cref="SearchLayer{TMetric, TAdmit}"/> (false): a switch for the A/B harness (bench `hnsw-ab`) and the
    /// equivalence test. Filtered searches, searches with deletions and inserts always use the heaps.
    /// </summary>
    internal static bool SortedBeam = true;

    /// <summary>
    /// Unfiltered level-0 beam search with one sorted array of at most ef entries (DiskANN's
    /// NeighborPriorityQueue) in place of the two heaps: the array is both the candidate set and the result
    /// set; an entry's node has its top bit set once expanded, and a cursor points at the closest entry not yet
    /// expanded. It visits the same nodes as the two-heap loop (hnswlib's rule: a node enters when the beam is
    /// not full or it beats the worst kept). Each hop runs in three tight passes: collect, mark and prefetch the
    /// unvisited neighbours; score them; insert them. Between scoring and inserting it already knows the next hop
    /// (the best new neighbour if it beats the beam's next open entry, else that entry) and starts the miss on
    /// its link list. Returns the beam's size; s.Beam holds it closest first (ties: smaller node).
    /// </summary>
    private int SearchBeam<TMetric, TRows>(NodeTables t, HnswScratch s, float* q, int ep, float epDist, int ef, TRows rows, CancellationToken ct)
        where TMetric : struct, IScanMetric
        where TRows : struct, IBeamRows
    {
        s.BeginVisit(t.Chunks << ChunkShift);
        ushort gen = s.Generation;
        int tagCount = s.Tags.Length;
        int prefetchBytes = (int)Math.Min((long)s_prefetchLines * 64, rows.RowBytes);
        int hops = 0;
        int* hopIds = stackalloc int[_m0];
        float* hopDist = stackalloc float[_m0];
        fixed (ushort* tags = s.Tags)
        fixed (HnswCandidate* beam = s.Beam)
        {
            tags[ep] = gen;
            beam[0] = new HnswCandidate(epDist, ep);
            int size = 1;
            int cursor = 0;
            while (cursor < size)
            {
                int node = beam[cursor].Node;
                beam[cursor].Node = node | int.MinValue;
                cursor++;
                if (++hops % CancelCheckHops == 0 && ct.IsCancellationRequested)
                    ct.ThrowIfCancellationRequested();

                int* list = LinksOf(t, node, 0);
                int count = Math.Min(Volatile.Read(ref *list), _m0);
                int* ids = list + 1;
                int m = 0;
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
                if (s_prefetchLinks)
                {
                    // The next hop expands the closest open entry: the best new neighbour if it beats the
                    // beam's next open entry (then it is inserted), else that entry.
                    int c2 = cursor;
                    while (c2 < size && beam[c2].Node < 0)
                        c2++;
                    int next = c2 < size && !(bestD < beam[c2].Distance) ? beam[c2].Node : bestN;
                    if (next >= 0)
                        Sse.Prefetch0(LinksOf(t, next, 0));
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

    /// <summary>
    /// Replaces the bfloat16 keys of the beam by float32 ones and sorts it again (closest first, ties: smaller
    /// node). All rows are prefetched before the first is scored, so their misses overlap; an insertion sort
    /// suffices because the order barely changes.
    /// </summary>
    /// <summary>Entries of a bf16 beam re-scored on float32: 4k, at least 32 (all of it at ef &lt;= 32).</summary>
    internal static int RescoreDepth(int k) => Math.Max(4 * k, 32);

    private void RescoreBeam<TMetric>(NodeTables t, HnswScratch s, float* q, int size) where TMetric : struct, IScanMetric
    {
        int rowBytes = Dimension * sizeof(float);
        fixed (HnswCandidate* beam = s.Beam)
        {
            if (Sse.IsSupported)
            {
                for (int i = 0; i < size; i++)
                {
                    byte* v = (byte*)VectorOf(t, beam[i].Node & int.MaxValue);
                    for (int off = 0; off < rowBytes; off += 64)
                        Sse.Prefetch0(v + off);
                }
            }
            for (int i = 0; i < size; i++)
            {
                int node = beam[i].Node & int.MaxValue;
                beam[i] = new HnswCandidate(Distance<TMetric>(q, VectorOf(t, node)), node);
            }
            for (int i = 1; i < size; i++)
            {
                var c = beam[i];
                int j = i - 1;
                while (j >= 0 && (beam[j].Distance > c.Distance || (beam[j].Distance == c.Distance && beam[j].Node > c.Node)))
                {
                    beam[j + 1] = beam[j];
                    j--;
                }
                beam[j + 1] = c;
            }
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

    private readonly struct Bf16Rows(NodeTables t, int dimension, int strideUShorts) : IBeamRows
    {
        private readonly nint* _chunks = t.Bf16Ptr;

        public int RowBytes => dimension * sizeof(ushort);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public byte* RowOf(int node) => (byte*)((ushort*)_chunks[node >> ChunkShift] + (nint)(node & ChunkMask) * strideUShorts);

        /// <summary>The metric's key on the bf16 row: -dot (inner product, cosine) or squared L2.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Key<TMetric>(float* q, int node) where TMetric : struct, IScanMetric
        {
            // typeof tests on a struct type argument are folded by the JIT: no branch is left.
            if (typeof(TMetric) == typeof(NegatedDotScanMetric))
                return -BFloat16PairwiseKernel.Run<DotOperator>(ref *q, ref *(ushort*)RowOf(node), dimension);
            if (typeof(TMetric) == typeof(SquaredL2ScanMetric))
                return BFloat16PairwiseKernel.Run<SquaredL2Operator>(ref *q, ref *(ushort*)RowOf(node), dimension);
            throw new NotSupportedException($"no bfloat16 key for {typeof(TMetric).Name}");
        }
    }

    /// <summary>Which nodes may enter a search's results (traversal never filters).</summary>
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

    private readonly struct AdmitLiveFiltered<TFilter>(NodeTables t, TFilter filter) : IAdmit
        where TFilter : struct, IRowFilter
    {
        public static bool AdmitsAll => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Admit(int node) => !IsDeleted(t, node) && filter.Allows(*LabelOf(t, node));
    }
}
