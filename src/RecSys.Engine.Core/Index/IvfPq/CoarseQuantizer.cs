using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// The IVF coarse quantizer: nlist centroids, probed either by an exact scan (the flat index's
/// <see cref="ExactScan"/>) or, for large nlist, by an HNSW graph over the centroids (FAISS's
/// IndexHNSWFlat as an IVF quantizer):
/// <code>
///   Search (per query) -> graph?  yes: HnswIndex.Search(k = nprobe, ef = max(ef, nprobe))  ~ log(nlist) hops
///                                 no : ExactScan over nlist x dim floats                     ~ nlist x dim reads
///   Assign (Train, Add) -> always the exact scan: list membership is decided once, exactly
/// </code>
/// At nlist 65,536 x 96 the exact scan reads 25 MB per query (~2.5 ms); the graph answers in tens of
/// microseconds at a small loss of probe accuracy (the threshold and defaults are measured in
/// bench/results/ivfpq.md). Probing uses squared L2 (L2 and cosine data) or -dot (inner product), in
/// both paths. The quantizer owns the graph and disposes it.
/// </summary>
public sealed unsafe class CoarseQuantizer : IDisposable
{
    private readonly float[] _centroids;
    private readonly long[] _listNumbers;
    private readonly bool _innerProduct;
    private HnswIndex? _graph;
    private SearchParameters? _graphParameters; // cached per ef so a probe allocates nothing

    public CoarseQuantizer(float[] centroids, int dimension, bool innerProduct, HnswIndex? graph = null)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (centroids.Length == 0 || centroids.Length % dimension != 0)
            throw new ArgumentException($"centroids holds {centroids.Length} floats, not a positive multiple of the dimension {dimension}", nameof(centroids));
        _centroids = centroids;
        Dimension = dimension;
        Count = centroids.Length / dimension;
        _innerProduct = innerProduct;
        _listNumbers = new long[Count];
        for (int i = 0; i < Count; i++)
            _listNumbers[i] = i;
        if (graph is not null)
            AttachGraph(graph);
    }

    public int Dimension { get; }

    /// <summary>nlist.</summary>
    public int Count { get; }

    public ReadOnlySpan<float> Centroids => _centroids;

    /// <summary>The HNSW graph over the centroids (labels = list numbers), or null when probing scans them all.</summary>
    public HnswIndex? Graph => _graph;

    /// <summary>Beam width of a graph probe when the search names none (raised to nprobe when smaller).</summary>
    public int GraphEf { get; set; } = IvfPqOptions.DefaultCoarseGraphEf;

    /// <summary>Centroid graph bytes (links and its copy of the centroids); 0 without a graph.</summary>
    public long GraphBytes => _graph?.MemoryBytes ?? 0;

    public ReadOnlySpan<float> Centroid(int list) => _centroids.AsSpan(list * Dimension, Dimension);

    /// <summary>
    /// Builds the HNSW graph over the centroids on one thread, so the same centroids and seed always give the
    /// same graph (and the same probes).
    /// </summary>
    public void BuildGraph(int m, int efConstruction, ulong seed)
    {
        var graph = new HnswIndex(Dimension, _innerProduct ? DistanceMetric.InnerProduct : DistanceMetric.L2,
            new HnswOptions { M = m, EfConstruction = efConstruction, EfSearch = GraphEf, Seed = seed, BuildThreads = 1 });
        try
        {
            graph.Add(_listNumbers, _centroids);
        }
        catch
        {
            graph.Dispose();
            throw;
        }
        AttachGraph(graph);
    }

    /// <summary>Takes ownership of <paramref name="graph"/> (labels = list numbers, vectors = the centroids).</summary>
    public void AttachGraph(HnswIndex graph)
    {
        if (graph.Dimension != Dimension || graph.Count != Count || graph.NodeCount != Count)
            throw new ArgumentException($"the centroid graph holds {graph.Count} x {graph.Dimension}; the quantizer has {Count} x {Dimension}", nameof(graph));
        var expected = _innerProduct ? DistanceMetric.InnerProduct : DistanceMetric.L2;
        if (graph.Metric != expected)
            throw new ArgumentException($"the centroid graph uses {graph.Metric}; this quantizer probes by {expected}", nameof(graph));
        _graph?.Dispose();
        _graph = graph;
    }

    /// <summary>
    /// The <paramref name="nprobe"/> nearest lists of each of <paramref name="queryCount"/> queries (dense rows), closest
    /// first, into lists / keys at [q * nprobe, (q + 1) * nprobe): through the graph when there is one
    /// (<paramref name="ef"/> null: <see cref="GraphEf"/>, as everywhere in <see cref="SearchParameters"/>), else exactly.
    /// </summary>
    internal void Search(float* queries, int queryCount, int nprobe, long* lists, float* keys, int? ef = null)
    {
        var graph = _graph;
        if (graph is null)
        {
            SearchExact(queries, queryCount, nprobe, lists, keys);
            return;
        }
        var parameters = ParametersFor(Math.Max(ef ?? GraphEf, nprobe));
        for (int q = 0; q < queryCount; q++)
        {
            long o = (long)q * nprobe;
            graph.Search(new ReadOnlySpan<float>(queries + (long)q * Dimension, Dimension), nprobe,
                new Span<long>(lists + o, nprobe), new Span<float>(keys + o, nprobe), parameters);
        }
    }

    /// <summary>As <see cref="Search"/>, always by the exact scan of every centroid (the graph's oracle).</summary>
    internal void SearchExact(float* queries, int queryCount, int nprobe, long* lists, float* keys)
    {
        fixed (float* c = _centroids)
        fixed (long* ids = _listNumbers)
        {
            if (_innerProduct)
                ExactScan.Run<NegatedDotScanMetric, NoRowFilter>(queries, queryCount, Dimension, c, Dimension, Count, ids, nprobe, lists, keys, default);
            else
                ExactScan.Run<SquaredL2ScanMetric, NoRowFilter>(queries, queryCount, Dimension, c, Dimension, Count, ids, nprobe, lists, keys, default);
        }
    }

    /// <summary>Managed-span form of <see cref="Search"/> for one query (tests, tools).</summary>
    public void Probe(ReadOnlySpan<float> query, Span<long> lists, Span<float> keys, int? ef = null, bool exact = false)
    {
        if (query.Length != Dimension)
            throw new ArgumentException($"the query has {query.Length} floats; the quantizer's dimension is {Dimension}", nameof(query));
        int nprobe = lists.Length;
        if (nprobe < 1 || keys.Length != nprobe)
            throw new ArgumentException($"lists ({lists.Length}) and keys ({keys.Length}) must have the same positive length", nameof(keys));
        fixed (float* q = query)
        fixed (long* l = lists)
        fixed (float* k = keys)
        {
            if (exact)
                SearchExact(q, 1, nprobe, l, k);
            else
                Search(q, 1, nprobe, l, k, ef);
        }
    }

    private SearchParameters ParametersFor(int ef)
    {
        var p = Volatile.Read(ref _graphParameters);
        if (p is null || p.Ef != ef)
        {
            p = new SearchParameters { Ef = ef, MaxDegreeOfParallelism = 1 };
            Volatile.Write(ref _graphParameters, p);
        }
        return p;
    }

    /// <summary>The nearest list of each vector (rows of <paramref name="vectors"/>), into <paramref name="lists"/>, exactly.</summary>
    public void Assign(ReadOnlySpan<float> vectors, Span<long> lists)
    {
        int n = vectors.Length / Dimension;
        if (lists.Length < n)
            throw new ArgumentException($"lists holds {lists.Length} entries; {n} vectors need as many", nameof(lists));
        const int Block = 32;
        float* keys = stackalloc float[Block];
        fixed (float* v = vectors)
        fixed (long* l = lists)
        {
            for (int first = 0; first < n; first += Block)
                SearchExact(v + (long)first * Dimension, Math.Min(Block, n - first), 1, l + first, keys);
        }
    }

    public void Dispose()
    {
        _graph?.Dispose();
        _graph = null;
    }
}
