namespace RecSys.Engine.Models.Onnx;

/// <summary>The metadata_props keys our exporters write and the ONNX scorer reads.</summary>
public static class OnnxMetadataKeys
{
    /// <summary>The ranking feature schema as JSON (<see cref="Ranking.RankingFeatureSchema.ToJson"/>).</summary>
    public const string FeatureSchema = "recsys.feature_schema";

    /// <summary>The graph input holding the [candidates x features] float tensor.</summary>
    public const string InputName = "recsys.input";

    /// <summary>The graph output holding one float score per candidate.</summary>
    public const string OutputName = "recsys.output";

    /// <summary>What trained the model: "mlp", "gbdt", ...</summary>
    public const string ModelKind = "recsys.model_kind";

    /// <summary>The trainer's description (hyper-parameters, validation NDCG).</summary>
    public const string Description = "recsys.description";

    /// <summary>
    /// How the model reads a missing feature; absent = it has no notion of one (every feature must be a finite number).
    /// <see cref="MissingAsNaN"/>: NaN is a missing value the model handles (a GBDT's per-split default direction).
    /// </summary>
    public const string MissingValues = "recsys.missing_values";

    public const string MissingAsNaN = "nan";
}
