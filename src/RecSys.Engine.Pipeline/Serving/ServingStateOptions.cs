using RecSys.Engine.Features.Faster;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>How <see cref="ServingState"/> opens (or first creates) what a server serves.</summary>
public sealed record ServingStateOptions
{
    /// <summary>The pipeline's own settings (logger, clock, parallel sources, scratch pool, attribution capacity).</summary>
    public PipelineOptions Pipeline { get; init; } = new();

    /// <summary>How versions are opened: hash checks, the ranker loader (ONNX lives outside the pipeline), HNSW search settings, mapping hook.</summary>
    public VersionLoadOptions Load { get; init; } = new();

    /// <summary>The pipeline config of a version's models (surfaces, rules); null = <see cref="PipelineDefaults.Config"/>.</summary>
    public Func<ServingModels, PipelineConfig>? Config { get; init; }

    /// <summary>Where the serving catalog snapshot lives; null = "serving" inside the registry directory.</summary>
    public string? CatalogDirectory { get; init; }

    /// <summary>The FASTER store's settings when the state opens the store itself (its DataDirectory is the one given to open).</summary>
    public FasterFeatureStoreOptions? Store { get; init; }

    /// <summary><see cref="ServingState.CreateAsync"/>: how the training set is written into the store (histories, publish times).</summary>
    public BootstrapOptions Seed { get; init; } = new();

    /// <summary>Save the catalog snapshot when the state is disposed.</summary>
    public bool SaveOnDispose { get; init; } = true;
}
