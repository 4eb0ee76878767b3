using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// Search, one concern per file:
/// <code>
///   Search            parameters (ef) checked once, queries split over threads                 (this file)
///   query -> (cosine: normalise into the search's pooled scratch)                              (this file)
///         -> filter planner: none | allows &lt; ExactFilterThreshold of the items -> exact scan of allowed ids
///                                 | up to AdmittedWalkMaxFraction -> admitted-only walk (ACORN-1)  (.AdmittedWalk)
///                                 | otherwise graph search admitting only allowed, live nodes  (.FilterPlanning)
///         -> greedy descent, top level .. 1 (one best node per level)                           (.Descent)
///         -> beam search on level 0 with ef, visited tags: unfiltered, one sorted beam array (SearchBeam) over
///            the float32 rows, or over the bfloat16 rows; filtered, with deletions or while inserting,
///            candidates min-heap + results max-heap (SearchLayer)                               (.Beam)
///         -> bfloat16 walk only: the beam's head re-scored on float32                           (.BFloat16)
///         -> k closest labels, distances in the metric's convention                            (this file)
/// </code>
/// The search loop is generic over the metric and the admission rule (struct type parameters), so the
/// unfiltered, no-deletion path carries no filter branch at all.
/// </summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>Hops between two looks at the cancellation token.</summary>
    private const int CancelCheckHops = 64;

    public void Search(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters = null) =>
        Search(queries, k, ids, distances, parameters, CancellationToken.None);

    /// <summary>
    /// As <see cref="Search(ReadOnlySpan{float}, int, Span{long}, Span{float}, SearchParameters?)"/>, and stops with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires (checked between hops).
    /// <see cref="SearchParameters.Ef"/>: null = <see cref="HnswOptions.EfSearch"/>; below k it is raised to k (the
    /// beam must hold k results); 0 or less never gets here (<see cref="SearchParameters"/> refuses it, naming Ef).
    /// </summary>
    public void Search(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        int nq = SearchValidation.QueryCount(queries, Dimension, k, ids, distances);
        if (nq == 0)
            return;
        parameters ??= SearchParameters.Default;
        // SearchParameters refuses Ef < 1 when it is made (naming Ef); HnswOptions.Validate holds EfSearch >= 1.
        int ef = parameters.Ef ?? Options.EfSearch;
        int threads = parameters.ThreadCount;

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

    /// <summary>Test seam: sees each search's scratch (its visited set) before it goes back to the shared pool.</summary>
    internal Action<HnswScratch>? SearchedWith { get; set; }

    private void SearchOne(float* query, int k, long* outIds, float* outDist, int ef, IdFilter? filter, CancellationToken ct)
    {
        var s = HnswScratch.Rent();
        try
        {
            var q = s.Query(Dimension);
            new ReadOnlySpan<float>(query, Dimension).CopyTo(q);
            if (Metric == DistanceMetric.Cosine)
                CosineSimilarity.Normalize(q);
            fixed (float* qp = q)
            {
                if (Metric == DistanceMetric.L2)
                    PlanSearch<SquaredL2ScanMetric>(s, qp, k, outIds, outDist, ef, filter, ct);
                else
                    PlanSearch<NegatedDotScanMetric>(s, qp, k, outIds, outDist, ef, filter, ct);
            }
            SearchedWith?.Invoke(s);
        }
        finally
        {
            HnswScratch.Return(s);
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
            if (TAdmit.AdmitsAll && !Options.TwoHeapBeam)
            {
                int size;
                s.Beam[0] = new HnswCandidate(epDist, ep);
                if (Bf16StrideUShorts > 0)
                {
                    // The bf16 key reads the query split into even and odd elements (BFloat16SplitQueryKernel):
                    // split once here for the few hundred rows the walk scores.
                    int even = BFloat16SplitQueryKernel.EvenLength(Dimension);
                    var split = s.QuerySplit(even, Dimension >> 1, out int oddAt);
                    BFloat16SplitQueryKernel.Split(new ReadOnlySpan<float>(q, Dimension), split[..even], split[oddAt..]);
                    fixed (float* sp = split)
                        size = SearchBeam<TMetric, Bf16Rows, AdmitAll>(t, s, q, 1, ef, 0, new Bf16Rows(t, Dimension, Bf16StrideUShorts, sp, sp + oddAt), default, ct);
                    // Only the head of a wide beam can hold the float32 top k: a bf16 key is off by far less
                    // than the gap to the 4k-th entry. Re-scoring all of ef = 256 cost more than the walk saved.
                    size = Math.Min(size, RescoreDepth(k));
                    RescoreBeam<TMetric>(t, s, q, size);
                }
                else
                {
                    size = SearchBeam<TMetric, Float32Rows, AdmitAll>(t, s, q, 1, ef, 0, new Float32Rows(t, Dimension, RowStrideFloats), default, ct);
                }
                found = Math.Min(size, k);
                ref HnswCandidate b = ref MemoryMarshal.GetArrayDataReference(s.Beam);
                for (int i = 0; i < found; i++)
                {
                    var c = Unsafe.Add(ref b, i);
                    outIds[i] = *LabelOf(t, c.Node & int.MaxValue);
                    outDist[i] = c.Distance;
                }
            }
            else
            {
                SearchLayer<TMetric, TAdmit>(t, s, q, ep, epDist, ef, 0, admit, ct);
                // Drop the farthest beyond k, then read the rest out closest first.
                while (s.Results.Count > k)
                    s.Results.Pop();
                found = s.DrainResultsSorted();
                for (int i = 0; i < found; i++)
                {
                    outIds[i] = *LabelOf(t, s.Sorted[i].Node);
                    outDist[i] = s.Sorted[i].Distance;
                }
            }
        }
        for (int i = found; i < k; i++)
        {
            outIds[i] = -1;
            outDist[i] = float.PositiveInfinity;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Distance<TMetric>(float* a, float* b) where TMetric : struct, IScanMetric =>
        TMetric.Score(new ReadOnlySpan<float>(a, Dimension), new ReadOnlySpan<float>(b, Dimension));
}
