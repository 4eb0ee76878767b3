namespace RecSys.Engine.Models.Ranking;

/// <summary>Settings of <see cref="MlpTrainer"/>.</summary>
public sealed record MlpTrainingOptions
{
    public IReadOnlyList<int> Hidden { get; init; } = [32];

    public RankingLoss Loss { get; init; } = RankingLoss.LambdaRank;

    /// <summary>LambdaRank's truncation: swaps below this rank do not count (LightGBM's lambdarank_truncation_level).</summary>
    public int Truncation { get; init; } = 30;

    public float LearningRate { get; init; } = 1e-3f;

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
        if (Hidden.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(Hidden), "hidden layers need >= 1 unit each (no hidden layer: a linear ranker)");
        ArgumentOutOfRangeException.ThrowIfLessThan(QueriesPerBatch, 1, nameof(QueriesPerBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEpochs, 1, nameof(MaxEpochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(Patience, 1, nameof(Patience));
        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1, nameof(K));
        ArgumentOutOfRangeException.ThrowIfLessThan(Truncation, 1, nameof(Truncation));
        if (!(LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), $"must be > 0, got {LearningRate}");
    }

    public override string ToString() =>
        $"loss={Loss.ToString().ToLowerInvariant()}{(Loss == RankingLoss.LambdaRank ? $" truncation={Truncation}" : "")} hidden={string.Join("-", Hidden)} lr={LearningRate:G} weight_decay={WeightDecay:G} batch_queries={QueriesPerBatch} max_epochs={MaxEpochs} patience={Patience} seed={Seed}";
}
