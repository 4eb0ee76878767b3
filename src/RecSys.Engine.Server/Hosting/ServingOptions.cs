namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// The "Serving" section of a <c>recsys serve</c> config: what the server serves, i.e. the model registry (its active
/// version is loaded at start; ActivateModel / Rollback swap it) and the feature store.
/// <code>
///   { "Serving": { "RegistryDirectory": "data/registry",
///                  "FeatureStore": { "Backend": "Faster", "DataDirectory": "data/store" } } }
/// </code>
/// Relative paths are relative to the config file's directory.
/// </summary>
public sealed record ServingOptions
{
    /// <summary>The configuration section the options live in.</summary>
    public const string SectionName = "Serving";

    /// <summary>The model registry (`recsys train` / `recsys load` write versions into it). Required; it must have an active version.</summary>
    public string? RegistryDirectory { get; init; }

    /// <summary>Where the serving catalog snapshot (live item updates) is saved; null = "serving" inside the registry directory.</summary>
    public string? CatalogDirectory { get; init; }

    /// <summary>Check every file of a version against its manifest's SHA-256 when loading it. Default true.</summary>
    public bool VerifyHashes { get; init; } = true;

    /// <summary>Serve a version that ships a learned ranker with the rank-fusion fallback instead. Default false.</summary>
    public bool IgnoreRanker { get; init; }

    /// <summary>Run a request's candidate sources in parallel (false: one after another, for one-core machines). Default true.</summary>
    public bool ParallelSources { get; init; } = true;

    /// <summary>
    /// Time each candidate source of a request may take before it is dropped from that request; null = the defaults'
    /// 50 ms. Raise it on a slow or shared machine ("00:00:00.200").
    /// </summary>
    public TimeSpan? SourceBudget { get; init; }

    /// <summary>The feature store.</summary>
    public FeatureStoreOptions FeatureStore { get; init; } = new();

    /// <summary>Checks every option; the exception names the first bad key ("Serving:FeatureStore:DataDirectory").</summary>
    public void Validate()
    {
        const string s = SectionName;
        if (string.IsNullOrWhiteSpace(RegistryDirectory))
            throw new ServerConfigException($"{s}:RegistryDirectory", $"{s}:RegistryDirectory is required (the model registry to serve)");
        if (!Directory.Exists(RegistryDirectory))
            throw new ServerConfigException($"{s}:RegistryDirectory", $"{s}:RegistryDirectory '{RegistryDirectory}' does not exist");
        if (SourceBudget is { } budget && budget <= TimeSpan.Zero)
            throw new ServerConfigException($"{s}:SourceBudget", $"{s}:SourceBudget must be positive (got {budget})");
        (FeatureStore ?? throw new ServerConfigException($"{s}:FeatureStore", $"{s}:FeatureStore must not be null")).Validate($"{s}:FeatureStore");
    }

    /// <summary>These options with relative paths made absolute against <paramref name="baseDirectory"/>.</summary>
    internal ServingOptions RelativeTo(string baseDirectory) => this with
    {
        RegistryDirectory = Absolute(RegistryDirectory, baseDirectory),
        CatalogDirectory = Absolute(CatalogDirectory, baseDirectory),
        FeatureStore = FeatureStore is null ? null! : FeatureStore with { DataDirectory = Absolute(FeatureStore.DataDirectory, baseDirectory) },
    };

    private static string? Absolute(string? path, string baseDirectory) =>
        string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path, baseDirectory);
}
