using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Pipeline.Ranking;

/// <summary>What <see cref="ServedRankerTrainer"/> wrote: the ONNX file, its schema, and how training went (for the version's manifest and the log).</summary>
public sealed record ServedRanker(string Path, RankerKind Kind, RankingFeatureSchema Schema, int Queries, int Rows, double PositiveRate,
    double ValidationNdcg, IReadOnlyDictionary<string, double> SourceNdcg, string Description, double FusionNdcg)
{
    /// <summary>
    /// The ranker's validation NDCG is above rank fusion's on the same validation requests (<see cref="FusionBaseline"/>):
    /// only then does it improve on what the version serves without it.
    /// </summary>
    public bool BeatsFusion => ValidationNdcg > FusionNdcg;

    /// <summary>"mlp" or "gbdt".</summary>
    public string KindName => Kind.ToString().ToLowerInvariant();
}
