using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// IVF-PQ by composition (the FAISS IndexIVFPQ + IndexRefineFlat shape):
/// <code>
///   vector -> normalise (cosine) -> RandomRotation (optional)
///          -> CoarseQuantizer: nearest of nlist centroids = the list
///          -> residual (x - centroid) -> ProductQuantizer: M bytes
///          -> InvertedLists[list]: code, id (and the float vector, for refine)
///   search -> filter planner: a filter allowing &lt; ExactFilterThreshold of the items -> exact scan of the
///             allowed items instead of the steps below (IvfPqIndex.FilterPlanning.cs)
///          -> coarse: nprobe nearest lists
///          -> per list: lookup table of the query residual (M x 256), AdcScan over the codes, top-R
///          -> refine (R > 0): exact distances of the R candidates from the stored vectors, top-k
/// </code>
/// Cosine data is L2-normalised and quantized under L2 (on unit vectors |q - x|^2 = 2 - 2 cos, so the
/// order is the same, and L2 residuals quantize far better than inner-product ones); distances are
/// reported as 1 - cos, like every index. Inner-product data uses -dot tables plus a per-list -dot(q, c).
/// Searches run concurrently; Train / Add / Remove take the write lock.
/// </summary>
public sealed unsafe partial class IvfPqIndex : IVectorIndex
{
    private const int AddChunkRows = 8192;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private RandomRotation? _rotation;
    private CoarseQuantizer? _coarse;
    private ProductQuantizer _pq;
    private InvertedLists? _lists;
    private Dictionary<long, long>? _where; // external id -> (list << 32) | position, built on first write
    private bool _disposed;

    public IvfPqIndex(int dimension, DistanceMetric metric, IvfPqOptions? options = null)
    {
        options ??= new IvfPqOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!Enum.IsDefined(metric))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric");
        options.Validate();
        Dimension = dimension;
        Metric = metric;
        Options = options;
        _pq = new ProductQuantizer(dimension, options.M);
        Kernel = AdcScan.Resolve(options.Kernel);
    }

    public string Kind => "ivfpq";

    public int Dimension { get; }

    public DistanceMetric Metric { get; }

    public IvfPqOptions Options { get; private set; }

    /// <summary>The ADC loop in use (Auto resolved).</summary>
    public AdcKernel Kernel { get; set; }

    public bool IsTrained => _lists is not null;

    public int NList => Options.NList;

    public int M => Options.M;

    public long Count => _lists?.TotalCount ?? 0;

    /// <summary>Codes and ids: M + 8 bytes per vector (the compressed index proper).</summary>
    public long CodeAndIdBytes => _lists?.CodeAndIdBytes ?? 0;

    /// <summary>Codes, ids, re-rank vectors and the quantizers (the coarse graph included).</summary>
    public long MemoryBytes =>
        (_lists is null ? 0 : _lists.CodeAndIdBytes + _lists.VectorBytes)
        + (long)(_coarse?.Centroids.Length ?? 0) * sizeof(float)
        + (_coarse?.GraphBytes ?? 0)
        + (long)_pq.Centroids.Length * sizeof(float)
        + (long)(_rotation?.Matrix.Length ?? 0) * sizeof(float);

    /// <summary>The product quantizer (trained by <see cref="Train"/>).</summary>
    public ProductQuantizer ProductQuantizer => _pq;

    public CoarseQuantizer? CoarseQuantizer => _coarse;

    public RandomRotation? Rotation => _rotation;

    /// <summary>The inverted lists (null until trained).</summary>
    public InvertedLists? Lists => _lists;

    public void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors)
    {
        ThrowIfDisposed();
        if ((long)ids.Length * Dimension != vectors.Length)
            throw new ArgumentException($"{ids.Length} ids need {(long)ids.Length * Dimension} floats of dimension {Dimension}; got {vectors.Length}", nameof(vectors));
        if (ids.IsEmpty)
            return;
        _lock.EnterWriteLock();
        try
        {
            if (_lists is null)
                throw new InvalidOperationException("the IVF-PQ index is not trained: call Train(sample) before Add");
            EnsureLocations();
            // Validate the whole batch first: a bad row never leaves half a batch in the index.
            AddValidation.ValidateBatch(ids, vectors, Dimension, Metric, _where!);

            int chunk = Math.Min(AddChunkRows, ids.Length);
            var stored = new float[chunk * Dimension];
            var rotated = _rotation is null ? null : new float[chunk * Dimension];
            var lists = new long[chunk];
            var codes = new byte[chunk * M];
            for (int first = 0; first < ids.Length; first += chunk)
            {
                int n = Math.Min(chunk, ids.Length - first);
                var src = vectors.Slice(first * Dimension, n * Dimension);
                Prepare(src, n, stored, rotated);
                EncodeRows(rotated ?? stored, n, lists, codes);
                for (int r = 0; r < n; r++)
                {
                    int list = (int)lists[r];
                    int pos = _lists.Append(list, codes.AsSpan(r * M, M), ids[first + r], stored.AsSpan(r * Dimension, _lists.HasVectors ? Dimension : 0));
                    _where!.Add(ids[first + r], Pack(list, pos));
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public int Remove(ReadOnlySpan<long> ids)
    {
        ThrowIfDisposed();
        _lock.EnterWriteLock();
        try
        {
            if (_lists is null)
                return 0;
            EnsureLocations();
            int removed = 0;
            foreach (long id in ids)
            {
                if (!_where!.Remove(id, out long where))
                    continue;
                int list = (int)(where >> 32);
                int pos = (int)where;
                if (_lists.RemoveAt(list, pos, out long moved))
                    _where[moved] = Pack(list, pos);
                removed++;
            }
            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>True when <paramref name="id"/> is in the index.</summary>
    public bool Contains(long id)
    {
        _lock.EnterWriteLock(); // may build the location map
        try
        {
            if (_lists is null)
                return false;
            EnsureLocations();
            return _where!.ContainsKey(id);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Copies vectors into the index's space: normalised (cosine) into <paramref name="stored"/>, then rotated.</summary>
    private void Prepare(ReadOnlySpan<float> src, int n, Span<float> stored, Span<float> rotated)
    {
        src.CopyTo(stored);
        for (int r = 0; r < n; r++)
        {
            var row = stored.Slice(r * Dimension, Dimension);
            if (Metric == DistanceMetric.Cosine)
                CosineSimilarity.Normalize(row);
            if (_rotation is not null)
                _rotation.Apply(row, rotated.Slice(r * Dimension, Dimension));
        }
    }

    /// <summary>Coarse list and PQ code of each prepared row, in parallel over blocks of rows.</summary>
    private void EncodeRows(float[] rows, int n, long[] lists, byte[] codes)
    {
        const int Block = 64;
        int blocks = (n + Block - 1) / Block;
        var coarse = _coarse!;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Threads(Options.MaxDegreeOfParallelism) }, b =>
        {
            int first = b * Block;
            int count = Math.Min(Block, n - first);
            coarse.Assign(rows.AsSpan(first * Dimension, count * Dimension), lists.AsSpan(first, count));
            Span<float> residual = stackalloc float[Dimension];
            for (int r = first; r < first + count; r++)
            {
                Residual(rows.AsSpan(r * Dimension, Dimension), coarse.Centroid((int)lists[r]), residual);
                _pq.Encode(residual, codes.AsSpan(r * M, M));
            }
        });
    }

    private static void Residual(ReadOnlySpan<float> x, ReadOnlySpan<float> centroid, Span<float> residual) =>
        System.Numerics.Tensors.TensorPrimitives.Subtract(x, centroid, residual);

    /// <summary>The id -> location map, built from the lists on the first write after Load.</summary>
    private void EnsureLocations()
    {
        if (_where is not null || _lists is null)
            return;
        var map = new Dictionary<long, long>((int)Math.Min(_lists.TotalCount, int.MaxValue));
        for (int l = 0; l < _lists.ListCount; l++)
        {
            var ids = _lists.Ids(l);
            for (int p = 0; p < ids.Length; p++)
                map.Add(ids[p], Pack(l, p));
        }
        _where = map;
    }

    internal static long Pack(int list, int position) => ((long)list << 32) | (uint)position;

    private static int Threads(int max) => max <= 0 ? Environment.ProcessorCount : Math.Min(max, Environment.ProcessorCount);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        if (_disposed)
            return;
        _lock.EnterWriteLock();
        try
        {
            _disposed = true;
            _lists?.Dispose();
            _coarse?.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
        _lock.Dispose();
    }
}
