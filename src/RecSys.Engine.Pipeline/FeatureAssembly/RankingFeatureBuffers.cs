using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.FeatureAssembly;

/// <summary>
/// The pooled buffers <see cref="RankingFeatureWriter"/> writes one request into (held by its <see cref="RankerInput"/>):
/// the category masks and source columns in the schema's layout, the user's category shares, and the tensor. Grown to
/// the largest request seen, never shrunk: a warm pipeline writes features without allocating.
/// </summary>
internal sealed class RankingFeatureBuffers
{
    private ulong[] _masks = [];
    private float[] _shares = [];
    private float[] _scores = [];
    private int[] _ranks = [];
    private float[] _tensor = [];

    public Span<ulong> Masks(int n) => Grow(ref _masks, n);

    public Span<float> Shares(int categories) => Grow(ref _shares, categories);

    public Span<float> Scores(int length) => Grow(ref _scores, length);

    public Span<int> Ranks(int length) => Grow(ref _ranks, length);

    public Span<float> Tensor(int length) => Grow(ref _tensor, length);

    private static Span<T> Grow<T>(ref T[] buffer, int length)
    {
        RankerInput.Ensure(ref buffer, length);
        return buffer.AsSpan(0, length);
    }
}
