namespace RecSys.Engine.Models.Ranking;

/// <summary>Settings of <see cref="MlpTrainer"/>.</summary>
public sealed record MlpTrainingOptions
{
    public IReadOnlyList<int> Hidden { get; init; } = [64, 32];

    public float LearningRate { get; init; } = 2e-3f;

    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>Queries (users) per minibatch.</summary>
    public int QueriesPerBatch { get; init; } = 8;

    public int MaxEpochs { get; init; } = 40;

    /// <summary>Stop after this many epochs without a better validation NDCG; the best epoch's weights are kept.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>The K of the validation NDCG (the test protocol's).</summary>
    public int K { get; init; } = 10;

    public ulong Seed { get; init; } = 42;

    public void Validate()
    {
        if (Hidden.Count == 0 || Hidden.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(Hidden), "at least one hidden layer, each >= 1 unit");
        ArgumentOutOfRangeException.ThrowIfLessThan(QueriesPerBatch, 1, nameof(QueriesPerBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEpochs, 1, nameof(MaxEpochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(Patience, 1, nameof(Patience));
        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1, nameof(K));
        if (!(LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"must be > 0, got {LearningRate}");
    }

    public override string ToString() =>
        $"hidden={string.Join("-", Hidden)} lr={LearningRate:G} weight_decay={WeightDecay:G} batch_queries={QueriesPerBatch} max_epochs={MaxEpochs} patience={Patience} seed={Seed}";
}
