using System.Numerics.Tensors;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.LinearAlgebra;

namespace RecSys.Engine.Models.Neighbors;

/// <summary>
/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): item-item weights in closed form,
/// P = (X^T X + Lambda)^-1, B[i, j] = -P[i, j] / P[j, j], diag(B) = 0; a user's scores are x_u B
/// (the sum of the B rows of the user's items).
/// <para>
/// Lambda is diagonal: lambda + dropout / (1 - dropout) x G[j, j] for item j, G = X^T X. With dropout 0 it is
/// the paper's lambda I. A dropout p > 0 is the closed form of training the same zero-diagonal autoencoder on
/// inputs with each interaction dropped with probability p (Steck 2020, "Autoencoders that don't overfit
/// towards the identity", EDLAE): the expected loss adds that penalty, so popular items, whose columns carry
/// more mass, are regularised more. It is why the same lambda generalises better here (eval-ml100k.md).
/// </para>
/// </summary>
public sealed class Ease(float lambda = 300f, int maxDegreeOfParallelism = -1, float dropout = 0f) : IRecommender, IHistoryScorer
{
    private float[] _weights = [];
    private InteractionMatrix? _train;

    public string Name => ModelKind.Ease.Name();

    public float Lambda { get; } = lambda > 0 && float.IsFinite(lambda) ? lambda : throw new ArgumentOutOfRangeException(nameof(lambda), $"lambda must be > 0, got {lambda}");

    /// <summary>Input dropout probability in [0, 1); 0 is plain EASE.</summary>
    public float Dropout { get; } = dropout >= 0f && dropout < 1f ? dropout : throw new ArgumentOutOfRangeException(nameof(dropout), $"dropout must be in [0, 1), got {dropout}");

    public int ItemCount { get; private set; }

    /// <summary>B, items x items row-major.</summary>
    public ReadOnlySpan<float> Weights => _weights;

    public string Describe() => $"lambda={Lambda:G} dropout={Dropout:G}";

    public void Fit(TrainingData data)
    {
        _train = data.Matrix;
        ItemCount = data.ItemCount;
        _weights = ComputeWeights(CoOccurrence.Gram(data.Matrix, data.Transposed, maxDegreeOfParallelism), ItemCount, Lambda, maxDegreeOfParallelism, Dropout);
    }

    /// <summary>B from a Gram matrix (consumed: it is overwritten by the inverse, see <see cref="BlockedSpdInverse"/>).</summary>
    public static float[] ComputeWeights(double[] gram, int n, float lambda, int maxDegreeOfParallelism = -1, float dropout = 0f)
    {
        if (!(dropout >= 0f && dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(dropout), $"dropout must be in [0, 1), got {dropout}");
        double share = dropout / (1.0 - dropout);
        for (long i = 0; i < n; i++)
            gram[i * n + i] += lambda + share * gram[i * n + i];
        // In place: the Gram matrix becomes P, so the peak is n^2 doubles (P) + n^2 floats (B) + ~50 MB of
        // scratch: 4.8 GB at 20,000 items.
        BlockedSpdInverse.InvertInPlace(gram, n, maxDegreeOfParallelism);
        double[] p = gram;
        var b = new float[(long)n * n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i =>
        {
            long row = (long)i * n;
            for (int j = 0; j < n; j++)
                b[row + j] = i == j ? 0f : (float)(-p[row + j] / p[(long)j * n + j]);
        });
        return b;
    }

    public void Score(int user, Span<float> scores) => ScoreHistory(_train!.Columns(user), _train.RowValues(user), scores);

    /// <summary>Scores for any history (a new user's items and values): sum of B rows weighted by value.</summary>
    public void ScoreHistory(ReadOnlySpan<int> items, ReadOnlySpan<float> values, Span<float> scores)
    {
        Span<float> s = scores[..ItemCount];
        s.Clear();
        for (int p = 0; p < items.Length; p++)
            TensorPrimitives.MultiplyAdd(_weights.AsSpan(items[p] * ItemCount, ItemCount), values.IsEmpty ? 1f : values[p], s, s);
    }

    internal void Restore(float[] weights, int items)
    {
        _weights = weights;
        ItemCount = items;
    }

    /// <summary>Attaches the training matrix (histories) to a restored model.</summary>
    public void AttachHistories(InteractionMatrix usersByItems) => _train = usersByItems;
}
