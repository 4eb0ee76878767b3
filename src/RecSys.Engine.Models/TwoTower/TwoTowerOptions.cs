namespace RecSys.Engine.Models.TwoTower;

/// <summary>Settings of <see cref="TwoTowerModel"/>: the towers' shape, the in-batch softmax and the training loop.</summary>
public sealed record TwoTowerOptions
{
    /// <summary>Width of the learned item embeddings (pooled over the user's history, and the item tower's id input).</summary>
    public int EmbeddingDimension { get; init; } = 32;

    /// <summary>Hidden ReLU layers of each tower.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [64];

    /// <summary>Width of the towers' outputs (the retrieval vectors, unit length).</summary>
    public int Dimension { get; init; } = 32;

    /// <summary>The softmax temperature: logits are cosine / temperature.</summary>
    public float Temperature { get; init; } = 0.05f;

    /// <summary>
    /// Subtract log q(item) from each in-batch logit, q = the item's share of the training pairs (Yi et al. 2019): in-batch
    /// negatives are drawn by popularity, and without the correction popular items are pushed down as if they were
    /// disliked.
    /// </summary>
    public bool LogQCorrection { get; init; } = true;

    /// <summary>(user, item) pairs per batch: each pair's item is every other pair's negative.</summary>
    public int BatchSize { get; init; } = 256;

    public float LearningRate { get; init; } = 3e-3f;

    /// <summary>Decoupled (AdamW) weight decay.</summary>
    public float WeightDecay { get; init; }

    public int MaxEpochs { get; init; } = 30;

    /// <summary>Stop after this many epochs without a better validation recall; the best epoch counts.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Most recent items pooled into the user tower (the serving path pools as many).</summary>
    public int MaxHistory { get; init; } = 50;

    /// <summary>
    /// Share of training pairs whose item tower sees no id embedding, only content and metadata: an item added after
    /// training gets a vector from the same tower at once.
    /// </summary>
    public float IdDropout { get; init; } = 0.1f;

    /// <summary>Share of each user's training events held out for early stopping (random per user).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>The K of the validation recall that early stopping watches.</summary>
    public int RecallK { get; init; } = 50;

    /// <summary>After early stopping, train again on every training event for the best epoch count (else keep the best epoch's weights).</summary>
    public bool RefitOnAll { get; init; } = true;

    /// <summary>Hash buckets of the demographic tokens (age bucket, gender, occupation) in the user features.</summary>
    public int DemographicBuckets { get; init; } = 64;

    /// <summary>Hash buckets of the whole segment key in the user features.</summary>
    public int SegmentBuckets { get; init; } = 32;

    public ulong Seed { get; init; } = 42;

    /// <summary>Receives one line per epoch.</summary>
    public Action<string>? Log { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(EmbeddingDimension, 1, nameof(EmbeddingDimension));
        ArgumentOutOfRangeException.ThrowIfLessThan(Dimension, 1, nameof(Dimension));
        if (Hidden.Any(h => h < 1))
            throw new ArgumentOutOfRangeException(nameof(Hidden), "hidden layers need >= 1 unit each");
        if (!(Temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "must be > 0");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 2, nameof(BatchSize));
        if (!(LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be > 0");
        if (!(WeightDecay >= 0))
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "must be >= 0");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEpochs, 1, nameof(MaxEpochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(Patience, 1, nameof(Patience));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHistory, 1, nameof(MaxHistory));
        if (!(IdDropout >= 0 && IdDropout < 1))
            throw new ArgumentOutOfRangeException(nameof(IdDropout), IdDropout, "must be in [0, 1)");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "must be in [0, 1) (0: no early stopping, MaxEpochs epochs)");
        ArgumentOutOfRangeException.ThrowIfLessThan(RecallK, 1, nameof(RecallK));
        ArgumentOutOfRangeException.ThrowIfLessThan(DemographicBuckets, 1, nameof(DemographicBuckets));
        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentBuckets, 1, nameof(SegmentBuckets));
    }

    public override string ToString() =>
        $"embedding={EmbeddingDimension} hidden={string.Join("-", Hidden)} dimension={Dimension} temperature={Temperature:G} logq={(LogQCorrection ? "on" : "off")} "
        + $"batch={BatchSize} lr={LearningRate:G} weight_decay={WeightDecay:G} max_history={MaxHistory} id_dropout={IdDropout:G} "
        + $"max_epochs={MaxEpochs} patience={Patience} validation={ValidationFraction:G} recall@{RecallK} refit={(RefitOnAll ? "all" : "off")} seed={Seed}";
}
