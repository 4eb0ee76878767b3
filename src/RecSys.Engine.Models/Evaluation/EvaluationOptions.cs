namespace RecSys.Engine.Models.Evaluation;

/// <summary>What the evaluator measures with.</summary>
public sealed record EvaluationOptions
{
    public int K { get; init; } = 10;

    /// <summary>Item vectors (items x dimension, row-major) for diversity by embedding; null skips it.</summary>
    public float[]? Embedding { get; init; }

    public int EmbeddingDimension { get; init; }

    public int MaxDegreeOfParallelism { get; init; } = -1;
}
