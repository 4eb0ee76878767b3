using System.Diagnostics;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Core.Index.IvfPq;

public sealed unsafe partial class IvfPqIndex
{
    /// <summary>Codes scored per AdcScan call: distances for a block stay in L1 before the heap sees them.</summary>
    private const int ScanBlock = 256;

    [ThreadStatic]
    private static SearchScratch? t_scratch;

    public void Search(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters = null)
    {
        ThrowIfDisposed();
        int nq = SearchValidation.QueryCount(queries, Dimension, k, ids, distances);
        if (nq == 0)
            return;
        parameters ??= SearchParameters.Default;
        // null = this index's default; values given were checked when the parameters were made (SearchParameters).
        int nprobe = parameters.NProbe ?? Options.DefaultNProbe;
        int refine = parameters.Refine ?? Options.DefaultRefine;
        // With a graph over the centroids, Ef is that graph's beam (null = the quantizer's CoarseGraphEf).
        int? coarseEf = parameters.Ef;
        Debug.Assert(nprobe >= 1 && refine >= 0 && coarseEf is null or >= 1);

        _lock.EnterReadLock();
        try
        {
            if (_lists is null || _lists.TotalCount == 0)
            {
                ids[..(nq * k)].Fill(-1);
                distances[..(nq * k)].Fill(float.PositiveInfinity);
                return;
            }
            if (refine > 0 && !_lists.HasVectors)
                throw new ArgumentException($"Refine = {refine} needs the stored vectors, but this index was built with StoreVectors = false", nameof(parameters));
            nprobe = Math.Min(nprobe, NList);
            // Planned once for the batch: every query carries the same filter.
            bool exact = parameters.Filter is { } selective && PrefersExactScan(selective);
            int threads = parameters.ThreadCount;
            fixed (float* q = queries)
            fixed (long* ip = ids)
            fixed (float* dp = distances)
            {
                if (threads == 1 || nq == 1)
                {
                    for (int i = 0; i < nq; i++)
                        SearchOne(q + (long)i * Dimension, k, nprobe, refine, coarseEf, parameters.Filter, exact, ip + (long)i * k, dp + (long)i * k);
                }
                else
                {
                    SearchInParallel(q, nq, k, nprobe, refine, coarseEf, parameters.Filter, exact, ip, dp, threads);
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    // Separate method: the lambda's closure would otherwise be allocated on every call, sequential ones too.
    private void SearchInParallel(float* q, int nq, int k, int nprobe, int refine, int? coarseEf, IdFilter? filter, bool exact, long* ip, float* dp, int threads)
    {
        nint qa = (nint)q, ia = (nint)ip, da = (nint)dp;
        Parallel.For(0, nq, new ParallelOptions { MaxDegreeOfParallelism = threads },
            i => SearchOne((float*)qa + (long)i * Dimension, k, nprobe, refine, coarseEf, filter, exact, (long*)ia + (long)i * k, (float*)da + (long)i * k));
    }

    /// <summary>One query; <paramref name="exact"/>: the filter planner chose the exact scan of the allowed items (IvfPqIndex.FilterPlanning.cs).</summary>
    private void SearchOne(float* query, int k, int nprobe, int refine, int? coarseEf, IdFilter? filter, bool exact, long* outIds, float* outDist)
    {
        switch (filter)
        {
            case null:
                SearchOne<NoRowFilter>(query, k, nprobe, refine, coarseEf, default, exact: false, outIds, outDist);
                break;
            case AllowBitset bitset:
                SearchOne(query, k, nprobe, refine, coarseEf, new BitsetRowFilter(bitset), exact, outIds, outDist);
                break;
            default:
                SearchOne(query, k, nprobe, refine, coarseEf, new AnyRowFilter(filter), exact, outIds, outDist);
                break;
        }
    }

    private void SearchOne<TFilter>(float* query, int k, int nprobe, int refine, int? coarseEf, TFilter filter, bool exact, long* outIds, float* outDist)
        where TFilter : struct, IRowFilter
    {
        // A filtered search may look past nprobe lists for ones that hold admitted items (IvfPqOptions.FilteredProbeScale).
        int probeLimit = TFilter.IsPassThrough || exact ? nprobe : (int)Math.Min(NList, (long)nprobe * Options.FilteredProbeScale);
        var s = t_scratch;
        if (s is null || !s.Fits(Dimension, M, probeLimit, Math.Max(k, refine)))
            t_scratch = s = new SearchScratch(Dimension, M, probeLimit, Math.Max(k, refine), s);
        var lists = _lists!;
        var coarse = _coarse!;
        int dim = Dimension;
        int m = M;

        fixed (float* qn = s.Query)
        fixed (float* qrBuffer = s.Rotated)
        fixed (float* res = s.Residual)
        fixed (float* table = s.Table)
        fixed (float* block = s.Block)
        fixed (long* probes = s.Probes)
        fixed (float* probeKeys = s.ProbeKeys)
        {
            // The query in the index's space: normalised (cosine), then rotated.
            new ReadOnlySpan<float>(query, dim).CopyTo(s.Query);
            if (Metric == DistanceMetric.Cosine)
                CosineSimilarity.Normalize(s.Query.AsSpan(0, dim));
            float* qr = qn;
            if (_rotation is not null)
            {
                _rotation.Apply(s.Query.AsSpan(0, dim), s.Rotated);
                qr = qrBuffer;
            }

            if (exact)
            {
                if (!lists.HasVectors)
                    ExactFilteredCodes(s, qr, k, filter, outIds, outDist);
                else if (Metric == DistanceMetric.L2)
                    ExactFiltered<SquaredL2ScanMetric, TFilter>(qn, k, filter, outIds, outDist);
                else
                    ExactFiltered<NegatedDotScanMetric, TFilter>(qn, k, filter, outIds, outDist);
                return;
            }

            // The nprobe nearest lists first, at the caller's beam; a filtered search widens to probeLimit below only when
            // fewer than nprobe of them held an admitted item (a wider coarse search costs a wider beam on a centroid graph).
            coarse.Search(qr, 1, nprobe, probes, probeKeys, coarseEf);
            int searched = nprobe;
            bool widened = false;

            bool rerank = refine > 0;
            int capacity = rerank ? Math.Max(refine, k) : k;
            var heap = rerank
                ? new TopKHeap(s.CandidateKeys.AsSpan(0, capacity), s.CandidateIds.AsSpan(0, capacity))
                : new TopKHeap(new Span<float>(outDist, k), new Span<long>(outIds, k));
            bool innerProduct = Metric == DistanceMetric.InnerProduct;
            if (innerProduct)
                _pq.ComputeNegatedDotTable(qr, table); // the table does not depend on the list: build it once

            int probed = 0;
            for (int p = 0; ; p++)
            {
                if (p == searched || probed == nprobe || probes[p] < 0)
                {
                    if (widened || probed == nprobe || probeLimit == nprobe)
                        break;
                    // Fewer than nprobe of the nearest lists held an admitted item: the next ones, skipping those seen.
                    s.Probes.AsSpan(0, nprobe).CopyTo(s.FirstProbes);
                    coarse.Search(qr, 1, probeLimit, probes, probeKeys, coarseEf);
                    searched = probeLimit;
                    widened = true;
                    p = -1;
                    continue;
                }
                int list = (int)probes[p];
                if (widened && s.FirstProbes.AsSpan(0, nprobe).Contains(list))
                    continue;
                int count = lists.Count(list);
                var ids = lists.Ids(list);
                if (TFilter.IsPassThrough || probeLimit == nprobe)
                    probed++; // every list counts, as before
                else if (count > 0 && AdmitsAny(ids, filter))
                    probed++;
                else
                    continue;
                if (count == 0)
                    continue;
                float bias = PrepareListTable(qr, list, res, table, innerProduct);
                fixed (byte* codes = lists.Codes(list))
                {
                    for (int first = 0; first < count; first += ScanBlock)
                    {
                        int n = Math.Min(ScanBlock, count - first);
                        AdcScan.Distances(Kernel, codes + (long)first * m, n, m, table, bias, block);
                        float threshold = heap.Threshold;
                        for (int j = 0; j < n; j++)
                        {
                            float d = block[j];
                            if (d > threshold)
                                continue;
                            long id = ids[first + j];
                            if (!TFilter.IsPassThrough && !filter.Allows(id))
                                continue;
                            // Re-rank candidates carry their location, so refine reads the vector without an id lookup.
                            if (heap.Push(d, rerank ? Pack(list, first + j) : id))
                                threshold = heap.Threshold;
                        }
                    }
                }
            }

            if (!rerank)
            {
                heap.SortAscending();
                if (Metric == DistanceMetric.Cosine)
                {
                    // |q - x|^2 = 2 - 2 cos on unit vectors: report the approximate 1 - cos.
                    for (int i = 0; i < k; i++)
                    {
                        if (!float.IsPositiveInfinity(outDist[i]))
                            outDist[i] *= 0.5f;
                    }
                }
                return;
            }

            var final = new TopKHeap(new Span<float>(outDist, k), new Span<long>(outIds, k));
            var exactQuery = new ReadOnlySpan<float>(qn, dim); // normalised, not rotated: the stored vectors' space
            for (int c = 0; c < heap.Count; c++)
            {
                long where = s.CandidateIds[c];
                int list = (int)(where >> 32);
                int pos = (int)where;
                var vector = lists.Vector(list, pos);
                float d = Metric switch
                {
                    DistanceMetric.L2 => SquaredL2.Compute(exactQuery, vector),
                    DistanceMetric.Cosine => 1f - DotProduct.Compute(exactQuery, vector),
                    _ => -DotProduct.Compute(exactQuery, vector),
                };
                final.Push(d, lists.Ids(list)[pos]);
            }
            final.SortAscending();
        }
    }

    /// <summary>Whether the filter admits any of a list's ids (a filter spread over the space answers at the first few).</summary>
    private static bool AdmitsAny<TFilter>(ReadOnlySpan<long> ids, TFilter filter)
        where TFilter : struct, IRowFilter
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if (filter.Allows(ids[i]))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Readies <paramref name="table"/> for scanning <paramref name="list"/> and returns the bias its distances add:
    /// L2 builds the table of the query's residual to the list's centroid; inner product keeps the list-independent
    /// -dot table (built once per query) and returns -dot(q, centroid).
    /// </summary>
    private float PrepareListTable(float* qr, int list, float* res, float* table, bool innerProduct)
    {
        var centroid = _coarse!.Centroid(list);
        var q = new ReadOnlySpan<float>(qr, Dimension);
        if (innerProduct)
            return -DotProduct.Compute(q, centroid);
        Residual(q, centroid, new Span<float>(res, Dimension));
        _pq.ComputeL2Table(res, table);
        return 0;
    }

    /// <summary>Per-thread buffers of one search: allocated once per thread and shape, reused by every query.</summary>
    private sealed class SearchScratch
    {
        public SearchScratch(int dim, int m, int nprobe, int candidates, SearchScratch? previous)
        {
            int probes = Math.Max(nprobe, previous?.Probes.Length ?? 0);
            int cands = Math.Max(candidates, previous?.CandidateIds.Length ?? 0);
            Query = new float[dim];
            Rotated = new float[dim];
            Residual = new float[dim];
            Table = new float[m * ProductQuantizer.CentroidsPerSubspace];
            Block = new float[ScanBlock];
            Probes = new long[probes];
            FirstProbes = new long[probes];
            ProbeKeys = new float[probes];
            CandidateIds = new long[cands];
            CandidateKeys = new float[cands];
        }

        public float[] Query { get; }
        public float[] Rotated { get; }
        public float[] Residual { get; }
        public float[] Table { get; }
        public float[] Block { get; }
        public long[] Probes { get; }

        /// <summary>The nprobe nearest lists a filtered search looked at before it widened (not looked at again).</summary>
        public long[] FirstProbes { get; }
        public float[] ProbeKeys { get; }
        public long[] CandidateIds { get; }
        public float[] CandidateKeys { get; }

        public bool Fits(int dim, int m, int nprobe, int candidates) =>
            Query.Length == dim && Table.Length == m * ProductQuantizer.CentroidsPerSubspace
            && Probes.Length >= nprobe && CandidateIds.Length >= candidates;
    }
}
