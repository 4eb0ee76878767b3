using RecSys.Engine.Core.Randomness;
namespace RecSys.Engine.Core.Vectors.Synthetic;

/// <summary>
/// Consecutive vectors of one stream (base or queries) of a <see cref="SyntheticVectorGenerator"/>.
/// Not thread-safe; create one stream per thread (each can start at any index).
/// </summary>
public sealed class SyntheticVectorStream
{
    private readonly SyntheticVectorGenerator _generator;
    private SplitMix64 _rng;

    internal SyntheticVectorStream(SyntheticVectorGenerator generator, ulong streamState, long startIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startIndex);
        _generator = generator;
        _rng = new SplitMix64(streamState);
        // Every point consumes exactly 1 + 2*D draws (centre pick, then D two-draw Gaussians),
        // so vector i starts i*(1+2D) draws into the stream. Wrapping arithmetic, like the state.
        _rng.Skip(unchecked((ulong)startIndex * DrawsPerVector(generator.Dimension)));
        Position = startIndex;
    }

    public int Dimension => _generator.Dimension;

    /// <summary>Index of the vector the next call to <see cref="Next"/> produces.</summary>
    public long Position { get; private set; }

    /// <summary>
    /// Writes the next vector into <paramref name="row"/> (length must be the dimension); returns the centre it was drawn
    /// around (0..255), which a generated catalog uses as the item's or user's taste cluster.
    /// </summary>
    public int Next(Span<float> row)
    {
        int d = _generator.Dimension;
        if (row.Length != d)
            throw new ArgumentException($"row has length {row.Length}, the stream's dimension is {d}", nameof(row));

        int k = (int)(_rng.Next() >> 56);
        ReadOnlySpan<double> c = _generator.Centre(k);
        ReadOnlySpan<double> s = _generator.Sigma;
        for (int j = 0; j < d; j++)
        {
            double g = _rng.NextGaussian();
            // Two separately rounded double operations, as the recipe demands. RyuJIT never
            // contracts these into a fused multiply-add; do not write Math.FusedMultiplyAdd here.
            double t = s[j] * g;
            double v = c[j] + t;
            row[j] = (float)v;
        }
        Position++;
        return k;
    }

    /// <summary>Fills <paramref name="rows"/> (a whole number of vectors, row-major) with consecutive vectors.</summary>
    public void Fill(Span<float> rows)
    {
        int d = _generator.Dimension;
        if (rows.Length % d != 0)
            throw new ArgumentException($"length {rows.Length} is not a multiple of the dimension {d}", nameof(rows));
        for (int offset = 0; offset < rows.Length; offset += d)
            Next(rows.Slice(offset, d));
    }

    private static ulong DrawsPerVector(int dimension) => 1 + 2 * (ulong)dimension;
}
