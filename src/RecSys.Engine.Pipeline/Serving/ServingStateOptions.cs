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

    /// <summary>
    /// Load versions activated while serving (ActivateAsync, RollbackAsync, experiment versions) on threads at the
    /// lowest OS priority (<see cref="Core.Threading.LowPriorityTaskScheduler"/>), so a load takes only the CPU requests
    /// leave idle and slows down instead of the requests. Default true; false loads on the calling thread at the
    /// server's priority (faster on an idle server, and requests compete with it on a busy one).
    /// </summary>
    public bool LowPriorityLoads { get; init; } = true;

    /// <summary>Receives a line when a load could not lower its priority (why; it runs at the server's); null = silent.</summary>
    public Action<string>? LoadLog { get; init; }

    /// <summary>Save the catalog snapshot when the state is disposed.</summary>
    public bool SaveOnDispose { get; init; } = true;
}
