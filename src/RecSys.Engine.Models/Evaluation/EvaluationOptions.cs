namespace RecSys.Engine.Models.Evaluation;

/// <summary>What the evaluator measures with.</summary>
public sealed record EvaluationOptions
{
    private readonly int _k = 10;

    /// <summary>List length; at least 1, checked here once (the evaluator and the runner rely on it).</summary>
    public int K
    {
        get => _k;
        init => _k = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(K), value, "K (the list length) must be at least 1");
    }

    /// <summary>Item vectors (items x dimension, row-major) for diversity by embedding; null skips it.</summary>
    public float[]? Embedding { get; init; }

    public int EmbeddingDimension { get; init; }

    public int MaxDegreeOfParallelism { get; init; } = -1;
}
