namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// A LambdaRank GBDT over a ranking feature schema: the trees read the schema's columns in order, a candidate's score
/// is the trees' raw sum (higher ranks first). The C# tree walk here is the reference its ONNX export is held to
/// (<see cref="Onnx.GbdtOnnxExporter"/>).
/// </summary>
public sealed class GbdtRanker
{
    public GbdtRanker(RankingFeatureSchema schema, TreeEnsemble trees, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(trees);
        if (trees.FeatureCount != schema.Count)
            throw new ArgumentException($"the trees read {trees.FeatureCount} features, the schema has {schema.Count}", nameof(trees));
        Schema = schema;
        Trees = trees;
        Description = description ?? $"gbdt trees={trees.TreeCount} nodes={trees.NodeCount}";
    }

    public RankingFeatureSchema Schema { get; }

    public TreeEnsemble Trees { get; }

    /// <summary>What trained it (trees, hyper-parameters, validation NDCG).</summary>
    public string Description { get; }

    public string Describe() => Description;

    /// <summary>Scores <paramref name="n"/> candidates from their rows ([n x features], row-major). Allocates nothing; thread-safe.</summary>
    public void Score(ReadOnlySpan<float> rows, int n, Span<float> scores)
    {
        int f = Schema.Count;
        if (rows.Length < n * f)
            throw new ArgumentException($"{n} candidates x {f} features need {n * f} floats, got {rows.Length}", nameof(rows));
        if (scores.Length < n)
            throw new ArgumentException($"scores holds {scores.Length}, {n} candidates", nameof(scores));
        Trees.Score(rows[..(n * f)], scores[..n]);
    }

    /// <summary>One score per row of <paramref name="data"/>.</summary>
    public float[] ScoreAll(RankingDataset data)
    {
        var scores = new float[data.Rows];
        Trees.Score(data.Features, scores);
        return scores;
    }
}
