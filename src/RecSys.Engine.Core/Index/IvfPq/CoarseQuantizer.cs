using RecSys.Engine.Core.Index.Scan;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// The IVF coarse quantizer: nlist centroids and an exact scan over them (the flat index's
/// <see cref="ExactScan"/>). At nlist = 65,536 x 96 floats that is 25 MB read per query, ~2 ms; well under
/// that (nlist &lt;= 4096) it is tens of microseconds, so a graph over the centroids is not needed yet.
/// Probing uses squared L2 (L2 and cosine data) or -dot (inner product).
/// </summary>
public sealed unsafe class CoarseQuantizer
{
    private readonly float[] _centroids;
    private readonly long[] _listNumbers;
    private readonly bool _innerProduct;

    public CoarseQuantizer(float[] centroids, int dimension, bool innerProduct)
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
    }

    public int Dimension { get; }

    /// <summary>nlist.</summary>
    public int Count { get; }

    public ReadOnlySpan<float> Centroids => _centroids;

    public ReadOnlySpan<float> Centroid(int list) => _centroids.AsSpan(list * Dimension, Dimension);

    /// <summary>
    /// The <paramref name="nprobe"/> nearest lists of each of <paramref name="queryCount"/> queries (dense rows), closest
    /// first, into lists / keys at [q * nprobe, (q + 1) * nprobe).
    /// </summary>
    internal void Search(float* queries, int queryCount, int nprobe, long* lists, float* keys)
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

    /// <summary>The nearest list of each vector (rows of <paramref name="vectors"/>), into <paramref name="lists"/>.</summary>
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
                Search(v + (long)first * Dimension, Math.Min(Block, n - first), 1, l + first, keys);
        }
    }
}
