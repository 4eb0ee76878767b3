using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// A random orthogonal matrix (modified Gram-Schmidt, in double, on a seeded Gaussian matrix), applied
/// before the coarse quantizer and PQ. It preserves L2 distances and dot products, and spreads the
/// variance that embeddings concentrate in a few directions evenly over PQ's contiguous sub-spaces.
/// </summary>
public sealed class RandomRotation
{
    private readonly float[] _matrix; // row-major: y[i] = dot(row i, x)

    public RandomRotation(int dimension, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
        var rng = new SplitMix64(seed ^ 0x5DEECE66DUL);
        var a = new double[dimension * dimension];
        for (int i = 0; i < a.Length; i++)
            a[i] = rng.NextGaussian();
        for (int i = 0; i < dimension; i++)
        {
            var row = a.AsSpan(i * dimension, dimension);
            // Two passes of projection removal ("twice is enough") keep the rows orthogonal to ~1e-15.
            for (int pass = 0; pass < 2; pass++)
            {
                for (int j = 0; j < i; j++)
                {
                    var prev = a.AsSpan(j * dimension, dimension);
                    double dot = 0;
                    for (int t = 0; t < dimension; t++)
                        dot += row[t] * prev[t];
                    for (int t = 0; t < dimension; t++)
                        row[t] -= dot * prev[t];
                }
            }
            double norm = 0;
            foreach (double v in row)
                norm += v * v;
            norm = Math.Sqrt(norm);
            for (int t = 0; t < dimension; t++)
                row[t] /= norm;
        }
        _matrix = new float[a.Length];
        for (int i = 0; i < a.Length; i++)
            _matrix[i] = (float)a[i];
    }

    internal RandomRotation(int dimension, float[] matrix)
    {
        Dimension = dimension;
        _matrix = matrix;
    }

    public int Dimension { get; }

    /// <summary>dim x dim, row-major.</summary>
    public ReadOnlySpan<float> Matrix => _matrix;

    /// <summary>y = R x. <paramref name="x"/> and <paramref name="y"/> must not overlap.</summary>
    public void Apply(ReadOnlySpan<float> x, Span<float> y) => DotProduct.ComputeMany(x, _matrix, Dimension, y[..Dimension]);

    /// <summary>x = R^T y (the inverse, R being orthogonal).</summary>
    public void ApplyInverse(ReadOnlySpan<float> y, Span<float> x)
    {
        x[..Dimension].Clear();
        for (int i = 0; i < Dimension; i++)
        {
            float yi = y[i];
            var row = _matrix.AsSpan(i * Dimension, Dimension);
            for (int t = 0; t < Dimension; t++)
                x[t] += yi * row[t];
        }
    }
}
