namespace RecSys.Engine.Models.Evaluation;

/// <summary>Mean metrics of one model over the evaluated users (users with at least one test item).</summary>
public sealed record EvaluationResult
{
    public required string Model { get; init; }

    public required int K { get; init; }

    public required int Users { get; init; }

    public double Ndcg { get; init; }

    public double Recall { get; init; }

    public double Precision { get; init; }

    public double Map { get; init; }

    public double Mrr { get; init; }

    public double HitRate { get; init; }

    /// <summary>Distinct recommended items / catalog items.</summary>
    public double Coverage { get; init; }

    /// <summary>Intra-list diversity by category (NaN without a catalog).</summary>
    public double Diversity { get; init; }

    /// <summary>Intra-list diversity by embedding (NaN without an embedding).</summary>
    public double EmbeddingDiversity { get; init; }

    public double Novelty { get; init; }

    public double TrainSeconds { get; init; }

    public double EvalSeconds { get; init; }

    /// <summary>The hyper-parameters the model ran with.</summary>
    public string Parameters { get; init; } = "";
}
