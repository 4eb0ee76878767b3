namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// Product quantizer: the vector is cut into M contiguous sub-vectors of D/M floats; each is replaced by
/// the index (one byte) of its nearest centroid among 256 trained for that sub-space.
/// <code>
///   x = [ x_0 | x_1 | ... | x_{M-1} ]      code = [ argmin_c |x_j - C_j[c]|^2 ]_j     M bytes
///   table[j * 256 + c] = |q_j - C_j[c]|^2    (ADC: distance(q, decode(code)) = sum_j table[j, code_j])
/// </code>
/// Centroids are held twice: row-major (decode) and per sub-space transposed (tables and encoding,
/// vectorised over the 256 centroids, see <see cref="PqKernels"/>).
/// </summary>
public sealed unsafe class ProductQuantizer
{
    public const int CentroidsPerSubspace = 256;

    private float[] _centroids;   // [m][256][dsub]
    private float[] _transposed;  // [m][dsub][256]

    public ProductQuantizer(int dimension, int m)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        if (dimension % m != 0)
            throw new ArgumentException($"the dimension {dimension} is not a multiple of m = {m} (PQ sub-spaces must have equal width)", nameof(m));
        Dimension = dimension;
        M = m;
        SubDimension = dimension / m;
        _centroids = [];
        _transposed = [];
    }

    public int Dimension { get; }

    /// <summary>Sub-spaces = bytes per code.</summary>
    public int M { get; }

    public int SubDimension { get; }

    public bool IsTrained => _centroids.Length != 0;

    /// <summary>[m][256][dsub], row-major.</summary>
    public ReadOnlySpan<float> Centroids => _centroids;

    public int TableLength => M * CentroidsPerSubspace;

    /// <summary>Trains each sub-space's 256 centroids by k-means on the sub-vectors of <paramref name="vectors"/> (n x Dimension).</summary>
    public void Train(ReadOnlySpan<float> vectors, KMeansOptions? options = null)
    {
        options ??= new KMeansOptions { Iterations = 25 };
        int n = vectors.Length / Dimension;
        if (n < CentroidsPerSubspace)
            throw new ArgumentException($"PQ training needs at least {CentroidsPerSubspace} vectors; got {n}", nameof(vectors));
        var centroids = new float[M * CentroidsPerSubspace * SubDimension];
        // Sub-spaces train in parallel, each k-means on one thread: 256 centroids of 4 floats are too
        // little work per Lloyd step to split across cores. Each seed depends only on j: deterministic.
        int threads = options.MaxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : options.MaxDegreeOfParallelism;
        var single = options with { MaxDegreeOfParallelism = 1 };
        float[] data = vectors.ToArray();
        Parallel.For(0, M, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
        {
            var sub = new float[n * SubDimension];
            for (int i = 0; i < n; i++)
                data.AsSpan(i * Dimension + j * SubDimension, SubDimension).CopyTo(sub.AsSpan(i * SubDimension, SubDimension));
            var result = KMeans.Train(sub, SubDimension, CentroidsPerSubspace, single with { Seed = options.Seed + (ulong)j * 7919 });
            result.Centroids.CopyTo(centroids.AsSpan(j * CentroidsPerSubspace * SubDimension));
        });
        SetCentroids(centroids);
    }

    internal void SetCentroids(float[] centroids)
    {
        if (centroids.Length != M * CentroidsPerSubspace * SubDimension)
            throw new ArgumentException($"expected {M * CentroidsPerSubspace * SubDimension} centroid values, got {centroids.Length}", nameof(centroids));
        var transposed = new float[centroids.Length];
        int block = CentroidsPerSubspace * SubDimension;
        for (int j = 0; j < M; j++)
            PqKernels.Transpose(centroids.AsSpan(j * block, block), CentroidsPerSubspace, SubDimension, transposed.AsSpan(j * block, block));
        _transposed = transposed;
        _centroids = centroids;
    }

    /// <summary>Nearest centroid per sub-space: M bytes into <paramref name="code"/>.</summary>
    public void Encode(ReadOnlySpan<float> vector, Span<byte> code)
    {
        EnsureTrained();
        if (vector.Length != Dimension || code.Length < M)
            throw new ArgumentException($"need a {Dimension}-float vector and {M} code bytes");
        float* d = stackalloc float[CentroidsPerSubspace];
        var dist = new ReadOnlySpan<float>(d, CentroidsPerSubspace);
        fixed (float* x = vector)
        fixed (float* t = _transposed)
        {
            for (int j = 0; j < M; j++)
            {
                PqKernels.SquaredL2Transposed(x + j * SubDimension, SubDimension, t + j * CentroidsPerSubspace * SubDimension, CentroidsPerSubspace, d);
                code[j] = (byte)System.Numerics.Tensors.TensorPrimitives.IndexOfMin(dist);
            }
        }
    }

    /// <summary>The vector a code stands for: each sub-space's chosen centroid.</summary>
    public void Decode(ReadOnlySpan<byte> code, Span<float> vector)
    {
        EnsureTrained();
        for (int j = 0; j < M; j++)
            _centroids.AsSpan((j * CentroidsPerSubspace + code[j]) * SubDimension, SubDimension).CopyTo(vector.Slice(j * SubDimension, SubDimension));
    }

    /// <summary>table[j * 256 + c] = |x_j - C_j[c]|^2: the ADC lookup table of a (residual) query.</summary>
    public void ComputeL2Table(ReadOnlySpan<float> x, Span<float> table)
    {
        EnsureTrained();
        if (x.Length < Dimension || table.Length < TableLength)
            throw new ArgumentException($"need a {Dimension}-float query and a {TableLength}-float table");
        fixed (float* xp = x)
        fixed (float* tp = table)
            ComputeL2Table(xp, tp);
    }

    /// <summary>table[j * 256 + c] = -dot(x_j, C_j[c]): inner-product ADC.</summary>
    public void ComputeNegatedDotTable(ReadOnlySpan<float> x, Span<float> table)
    {
        EnsureTrained();
        if (x.Length < Dimension || table.Length < TableLength)
            throw new ArgumentException($"need a {Dimension}-float query and a {TableLength}-float table");
        fixed (float* xp = x)
        fixed (float* tp = table)
            ComputeNegatedDotTable(xp, tp);
    }

    internal void ComputeL2Table(float* x, float* table)
    {
        fixed (float* t = _transposed)
        {
            for (int j = 0; j < M; j++)
                PqKernels.SquaredL2Transposed(x + j * SubDimension, SubDimension, t + j * CentroidsPerSubspace * SubDimension, CentroidsPerSubspace, table + j * CentroidsPerSubspace);
        }
    }

    internal void ComputeNegatedDotTable(float* x, float* table)
    {
        fixed (float* t = _transposed)
        {
            for (int j = 0; j < M; j++)
                PqKernels.NegatedDotTransposed(x + j * SubDimension, SubDimension, t + j * CentroidsPerSubspace * SubDimension, CentroidsPerSubspace, table + j * CentroidsPerSubspace);
        }
    }

    private void EnsureTrained()
    {
        if (!IsTrained)
            throw new InvalidOperationException("the product quantizer is not trained");
    }
}
