using RecSys.Engine.Core.Randomness;
namespace RecSys.Engine.Core.Vectors.Synthetic;

/// <summary>
/// The clustered, anisotropic embedding-like vectors of datasets/SYNTHETIC.md, reproduced to
/// the bit: seed 42 gives files with the SHA-256 sums listed there.
/// <code>
///   centres stream (seed*1000+1) -> 256 centres c[k][0..D), double
///   sigma                        -> s[0] = 0.6, s[j+1] = s[j] * 0.97
///   base stream    (seed*1000+2) -> per point: k = next() >> 56; x[j] = (float)(c[k][j] + s[j] * gauss)
///   query stream   (seed*1000+3) -> same recipe, own stream, so queries do not depend on N
/// </code>
/// The centres and sigmas are computed once here; <see cref="SyntheticVectorStream"/>s
/// share them read-only, so any number of streams can run on different threads.
/// </summary>
public sealed class SyntheticVectorGenerator
{
    /// <summary>Number of cluster centres; fixed by the recipe (k is the top byte of a draw).</summary>
    public const int CentreCount = 256;

    /// <summary>Largest dimension accepted: the CLI's limit, and it keeps the centre table under 128 MiB.</summary>
    public const int MaxDimension = 65536;

    private const ulong CentreStreamOffset = 1;
    private const ulong BaseStreamOffset = 2;
    private const ulong QueryStreamOffset = 3;

    // Rows per parallel chunk in Generate*: big enough to amortise the task, small enough to balance.
    private const int ParallelChunkRows = 4096;

    private readonly double[] _centres; // CentreCount x Dimension, row-major
    private readonly double[] _sigma;   // Dimension

    public SyntheticVectorGenerator(int dimension, ulong seed)
    {
        if (dimension < 1 || dimension > MaxDimension)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dimension must be in 1..{MaxDimension}");
        Dimension = dimension;
        Seed = seed;

        var rng = new SplitMix64(StreamState(CentreStreamOffset));
        _centres = new double[CentreCount * dimension];
        for (int i = 0; i < _centres.Length; i++)
            _centres[i] = rng.NextGaussian();

        // Repeated multiplication, not Math.Pow: the recipe's sums depend on this rounding.
        _sigma = new double[dimension];
        double s = 0.6;
        for (int j = 0; j < dimension; j++)
        {
            _sigma[j] = s;
            s *= 0.97;
        }
    }

    public int Dimension { get; }

    public ulong Seed { get; }

    internal ReadOnlySpan<double> Centre(int k) => _centres.AsSpan(k * Dimension, Dimension);

    internal ReadOnlySpan<double> Sigma => _sigma;

    /// <summary>Base vectors from index <paramref name="startIndex"/> on (0 = the first vector of base.fvecs).</summary>
    public SyntheticVectorStream CreateBaseStream(long startIndex = 0) =>
        new(this, StreamState(BaseStreamOffset), startIndex);

    /// <summary>Query vectors from index <paramref name="startIndex"/> on (0 = the first vector of query.fvecs).</summary>
    public SyntheticVectorStream CreateQueryStream(long startIndex = 0) =>
        new(this, StreamState(QueryStreamOffset), startIndex);

    /// <summary>The first <paramref name="count"/> base vectors, row-major, generated in parallel chunks.</summary>
    public float[] GenerateBase(int count) => Generate(BaseStreamOffset, count);

    /// <summary>The first <paramref name="count"/> query vectors, row-major, generated in parallel chunks.</summary>
    public float[] GenerateQueries(int count) => Generate(QueryStreamOffset, count);

    /// <summary>
    /// Cosine normalisation exactly as the recipe states it: the squared norm summed in double
    /// in index order, each element divided in double, then rounded to float. A zero vector
    /// (which the generator never produces) is left unchanged rather than turned into NaNs.
    /// </summary>
    public static void Normalize(Span<float> x)
    {
        double sum = 0;
        for (int j = 0; j < x.Length; j++)
        {
            double v = x[j];
            sum += v * v;
        }
        if (sum == 0)
            return;
        double norm = Math.Sqrt(sum);
        for (int j = 0; j < x.Length; j++)
            x[j] = (float)(x[j] / norm);
    }

    private ulong StreamState(ulong offset) => unchecked(Seed * 1000 + offset);

    private float[] Generate(ulong streamOffset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long total = (long)count * Dimension;
        if (total > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} x {Dimension} floats do not fit in one array");
        var rows = new float[total];
        int chunks = (int)((count + (long)ParallelChunkRows - 1) / ParallelChunkRows);
        ulong state = StreamState(streamOffset);
        Parallel.For(0, chunks, chunk =>
        {
            int first = chunk * ParallelChunkRows;
            int n = Math.Min(ParallelChunkRows, count - first);
            var stream = new SyntheticVectorStream(this, state, first);
            stream.Fill(rows.AsSpan(first * Dimension, n * Dimension));
        });
        return rows;
    }
}
