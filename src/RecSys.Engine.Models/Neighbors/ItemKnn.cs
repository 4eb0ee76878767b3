using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;

namespace RecSys.Engine.Models.Neighbors;

/// <summary>
/// Item-kNN in the style of SAR: co-occurrence counts turned into a similarity (cosine, Jaccard, lift),
/// each item keeping its <see cref="Neighbors"/> most similar items; a user's score for j is the sum of
/// sim(i, j) over the user's items i (weighted by value). A cheap baseline and a candidate source.
/// With <see cref="ItemSimilarityKind.Sequence"/> the lists come from adjacency in time-ordered histories instead
/// (<see cref="SequenceCoOccurrence"/>, <see cref="Window"/> positions apart at most): the "sequence" model.
/// </summary>
public sealed class ItemKnn(int neighbors = 100, ItemSimilarityKind similarity = ItemSimilarityKind.Cosine, int maxDegreeOfParallelism = -1, int window = 3) : IRecommender, IHistoryScorer
{
    private int[] _neighborStart = [];
    private int[] _neighborItem = [];
    private float[] _neighborWeight = [];
    private InteractionMatrix? _train;

    public string Name => Similarity == ItemSimilarityKind.Sequence ? ModelKind.Sequence.Name() : ModelKind.ItemKnn.Name();

    public int Neighbors { get; } = neighbors >= 1 ? neighbors : throw new ArgumentOutOfRangeException(nameof(neighbors), $"neighbors must be >= 1, got {neighbors}");

    public ItemSimilarityKind Similarity { get; } = Enum.IsDefined(similarity) ? similarity : throw new ArgumentOutOfRangeException(nameof(similarity), similarity, "unknown similarity");

    /// <summary>For <see cref="ItemSimilarityKind.Sequence"/>: how many positions apart two events of a history may be to count.</summary>
    public int Window { get; } = window >= 1 ? window : throw new ArgumentOutOfRangeException(nameof(window), $"window must be >= 1, got {window}");

    public int ItemCount { get; private set; }

    public string Describe() => $"neighbors={Neighbors} similarity={Similarity.ToString().ToLowerInvariant()}" + (Similarity == ItemSimilarityKind.Sequence ? $" window={Window}" : "");

    public void Fit(TrainingData data)
    {
        _train = data.Matrix;
        int n = ItemCount = data.ItemCount;
        if (Similarity == ItemSimilarityKind.Sequence)
        {
            (_neighborStart, _neighborItem, _neighborWeight) = SequenceCoOccurrence.Fit(data.Events, Window, Neighbors, maxDegreeOfParallelism);
            return;
        }
        // Similarity counts co-occurrences: built from the binary matrix whatever the data's values.
        double[] c = data.Binary
            ? CoOccurrence.Gram(data.Matrix, data.Transposed, maxDegreeOfParallelism)
            : CoOccurrence.Gram(InteractionMatrix.FromSet(data.Events, binary: true), InteractionMatrix.FromSet(data.Events, binary: true).Transpose(), maxDegreeOfParallelism);
        int keep = Math.Min(Neighbors, Math.Max(n - 1, 1));
        var items = new int[n * keep];
        var weights = new float[n * keep];
        var counts = new int[n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, () => (new float[keep], new long[keep]), (i, _, s) =>
        {
            var heap = new TopKHeap(s.Item1, s.Item2);
            double cii = c[i * n + i];
            if (cii > 0)
            {
                for (int j = 0; j < n; j++)
                {
                    double cij = c[i * n + j];
                    if (j == i || cij <= 0)
                        continue;
                    double cjj = c[j * n + j];
                    double sim = Similarity switch
                    {
                        ItemSimilarityKind.Jaccard => cij / (cii + cjj - cij),
                        ItemSimilarityKind.Lift => cij / Math.Max(cii, cjj),
                        _ => cij / Math.Sqrt(cii * cjj),
                    };
                    heap.Push(-(float)sim, j);
                }
            }
            int m = heap.SortAscending();
            counts[i] = m;
            for (int r = 0; r < m; r++)
            {
                items[i * keep + r] = (int)s.Item2[r];
                weights[i * keep + r] = -s.Item1[r];
            }
            return s;
        }, _ => { });

        _neighborStart = new int[n + 1];
        for (int i = 0; i < n; i++)
            _neighborStart[i + 1] = _neighborStart[i] + counts[i];
        _neighborItem = new int[_neighborStart[n]];
        _neighborWeight = new float[_neighborStart[n]];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(items, i * keep, _neighborItem, _neighborStart[i], counts[i]);
            Array.Copy(weights, i * keep, _neighborWeight, _neighborStart[i], counts[i]);
        }
    }

    /// <summary>The kept neighbours of <paramref name="item"/>, most similar first.</summary>
    public (ReadOnlyMemory<int> Items, ReadOnlyMemory<float> Similarities) NeighborsOf(int item)
    {
        int s = _neighborStart[item], len = _neighborStart[item + 1] - s;
        return (_neighborItem.AsMemory(s, len), _neighborWeight.AsMemory(s, len));
    }

    /// <summary>
    /// The lists as held (CSR: item i's neighbours are [Start[i], Start[i + 1])), for saving without a copy. An unfitted
    /// model has none: its one offset is 0.
    /// </summary>
    internal (int[] Start, int[] Items, float[] Weights) Lists => (_neighborStart.Length == 0 ? [0] : _neighborStart, _neighborItem, _neighborWeight);

    /// <summary>Restores trained neighbour lists (CSR: item i's neighbours are [start[i], start[i + 1])).</summary>
    internal void Restore(int items, int[] start, int[] neighborItems, float[] neighborWeights)
    {
        ItemCount = items;
        _neighborStart = start;
        _neighborItem = neighborItems;
        _neighborWeight = neighborWeights;
    }

    /// <summary>Attaches the training matrix (histories) to a restored model.</summary>
    public void AttachHistories(InteractionMatrix usersByItems) => _train = usersByItems;

    public void Score(int user, Span<float> scores) => ScoreHistory(_train!.Columns(user), _train.RowValues(user), scores);

    public void ScoreHistory(ReadOnlySpan<int> history, ReadOnlySpan<float> values, Span<float> scores)
    {
        Span<float> s = scores[..ItemCount];
        s.Clear();
        for (int p = 0; p < history.Length; p++)
        {
            int i = history[p];
            float v = values.IsEmpty ? 1f : values[p];
            for (int q = _neighborStart[i]; q < _neighborStart[i + 1]; q++)
                s[_neighborItem[q]] += v * _neighborWeight[q];
        }
    }
}
