using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Models.Factory;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>What <see cref="VersionBuilder"/> puts into a new version besides the models.</summary>
public sealed record VersionBuildOptions
{
    /// <summary>The version id; null = a fresh one (<see cref="ModelRegistry.NewVersionId"/>).</summary>
    public string? Id { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Where the training data came from, in words (the manifest's training summary).</summary>
    public string Source { get; init; } = "";

    /// <summary>Hyper-parameters when the builder trains (<see cref="VersionBuilder.Train"/>).</summary>
    public ModelSettings Settings { get; init; } = new();

    /// <summary>Factory string of the index over the ALS item factors (inner product).</summary>
    public string CfIndex { get; init; } = "HNSW16,efc200";

    /// <summary>Factory string of the index over the content vectors (cosine).</summary>
    public string ContentIndex { get; init; } = "HNSW16,efc200";

    /// <summary>Factory string of the index over the two-tower item vectors (cosine), when the models have a two-tower.</summary>
    public string TwoTowerIndex { get; init; } = "HNSW16,efc200";

    /// <summary>Threads for building the indexes (not part of what they are).</summary>
    public IndexBuildSettings Build { get; init; } = IndexBuildSettings.Default;

    /// <summary>A ranker model file (.onnx) to ship with the version; null = the rank-fusion fallback.</summary>
    public string? RankerFile { get; init; }

    /// <summary>
    /// Two-tower model files (.onnx) to ship instead of the exports of <see cref="TrainedModels.TwoTower"/> (a model whose
    /// towers were trained elsewhere; they must match its schema); null = the builder exports the model's own towers.
    /// </summary>
    public string? UserTowerFile { get; init; }

    public string? ItemTowerFile { get; init; }

    /// <summary>Evaluation metrics to record ("ndcg@10" -> 0.49).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
}
