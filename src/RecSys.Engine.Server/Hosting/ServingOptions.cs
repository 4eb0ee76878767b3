using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// The "Serving" section of a <c>recsys serve</c> config: what the server serves, i.e. the model registry (its active
/// version is loaded at start; ActivateModel / Rollback swap it) and the feature store.
/// <code>
///   { "Serving": { "RegistryDirectory": "data/registry",
///                  "PipelineConfigFile": "pipeline.json",
///                  "ExperimentsFile": "experiments.json",
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

    /// <summary>Serve a version that ships a learned ranker with the rank-fusion fallback instead (its file is not loaded). Default false.</summary>
    public bool IgnoreRanker { get; init; }

    /// <summary>
    /// Where ONNX Runtime runs a version's learned ranker: "auto" (CUDA when it loads, else CPU with one log line saying
    /// why), "cuda" (CUDA or the version is refused) or "cpu". Default "auto".
    /// </summary>
    public string RankerProvider { get; init; } = "auto";

    /// <summary>
    /// ONNX Runtime's intra-op threads per ranker or user-tower call. Default 1: a request scores on its own core, and
    /// concurrent requests use the others; more can help a lightly loaded server with large candidate sets.
    /// </summary>
    public int RankerIntraOpThreads { get; init; } = 1;

    /// <summary>
    /// Candidates one ranker call scores: its input buffers are sized for this many rows when a version loads, and a
    /// request with more is scored in chunks of it. Default 1000.
    /// </summary>
    public int RankerMaxCandidates { get; init; } = 1000;

    /// <summary>
    /// Ranker (and user-tower) calls that may run at once, each on buffers of its own; more callers wait for a free one.
    /// Null (default) = one per processor.
    /// </summary>
    public int? RankerConcurrentCalls { get; init; }

    /// <summary>Run a request's candidate sources in parallel (false: one after another, for one-core machines). Default true.</summary>
    public bool ParallelSources { get; init; } = true;

    /// <summary>
    /// Walk the loaded HNSW graphs' level 0 on a bfloat16 copy of the item rows, re-scoring the beam's head on float32
    /// (each graph keeps its saved beam width): half a vector more memory per item, computed when a version loads.
    /// On the 1M-item catalog, in process on one core, it cut Recommend's median p50 by 8% and left p99 unchanged
    /// (6 interleaved pairs, bench/results/slo.md).
    /// Null (default) = as each index was saved (its factory string's "bf16").
    /// </summary>
    public bool? HnswBFloat16Traversal { get; init; }

    /// <summary>
    /// Read every memory-mapped row file (index vectors, embeddings) back onto 2 MiB pages while a version loads
    /// (VersionLoadOptions.HugePageMappings; Linux, ext4/xfs): fewer TLB misses per search, one more read of those files
    /// per load. A file it cannot advise is logged and served on 4 KiB pages. Default true: on the 1M catalog over gRPC
    /// at 500 req/s it cut p99 from 73 to 31 ms and the requests shed from ~250 to ~15 per 10 s run (3 blocks each,
    /// bench/results/slo.md); false maps the files as the page cache holds them.
    /// </summary>
    public bool HugePageMappings { get; init; } = true;

    /// <summary>
    /// Load a version activated while serving (ActivateModel, Rollback, experiment versions) on threads at the lowest OS
    /// priority (Linux: nice 19), so the load takes only the CPU requests leave idle (ServingStateOptions.LowPriorityLoads).
    /// Default true. False loads at the server's priority: faster on an idle server, and on a busy one the requests
    /// compete with it. On the 1M catalog at 500 req/s on 2 cores (bench/results/slo.md, 4 swaps each): 569-1,179 calls
    /// refused and max 0.8-1.5 s per 30 s swap run with false, 28-159 and max 53-110 ms with true; the swap took
    /// 20-26 s instead of 13-21 s.
    /// </summary>
    public bool LowPriorityLoads { get; init; } = true;

    /// <summary>
    /// Time each candidate source of a request may take before it is dropped from that request; null = the defaults'
    /// 50 ms. Raise it on a slow or shared machine ("00:00:00.200"); at most <see cref="Pipeline.Config.SourceConfig.MaxBudget"/>.
    /// A budget the pipeline config file gives a source wins.
    /// </summary>
    public TimeSpan? SourceBudget { get; init; }

    /// <summary>
    /// A JSON file of changes to the pipeline defaults (<see cref="Pipeline.Config.PipelineConfigFile"/>: surfaces, their
    /// sources, post-processing and business rules) every version is served with; null = the defaults. Read with the rest
    /// of the config and applied when a version loads: a bad file refuses the start, naming the file and the field.
    /// </summary>
    public string? PipelineConfigFile { get; init; }

    /// <summary>
    /// A JSON file of A/B experiments (<see cref="Pipeline.Experiments.ExperimentConfigFile"/>) run from the start; null =
    /// none. Read and checked with the rest of the config: a bad file refuses the start, naming the file and the field.
    /// </summary>
    public string? ExperimentsFile { get; init; }

    /// <summary>
    /// Experiment responses remembered by request id for click attribution: a fixed-size window of the most recent ones;
    /// a click whose request id fell out of it (or was never served) is recorded but credited to no variant. Default 100,000.
    /// </summary>
    public int AttributionWindow { get; init; } = 100_000;

    /// <summary>
    /// How often the server re-ranks the popularity and trending sources' per-segment lists from the feature store's
    /// decayed counters, so items with events since training rise without a new version (a refresh reads the counters
    /// of each list's pool plus the items with events since the last one; requests never wait for it). Default 1 minute;
    /// 00:00:00 = off (the lists stay as the version trained them). A failed refresh is logged (category
    /// RecSys.Engine.Server.Trending) and counted (recsys.trending.refreshes, outcome failed); the next one runs on time.
    /// </summary>
    public TimeSpan TrendingRefreshInterval { get; init; } = DefaultTrendingRefreshInterval;

    /// <summary>The default of <see cref="TrendingRefreshInterval"/>, also what a server started over a serving state uses.</summary>
    public static readonly TimeSpan DefaultTrendingRefreshInterval = TimeSpan.FromMinutes(1);

    /// <summary>The shortest interval of the server's periodic work (<see cref="TrendingRefreshInterval"/>, <see cref="CatalogSaveInterval"/>) other than 0.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest such interval: 49 days (a PeriodicTimer takes up to about 49.7).</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(49);

    /// <summary>
    /// 0 (off) or <see cref="MinInterval"/> .. <see cref="MaxInterval"/>: the work runs on a PeriodicTimer, which refuses
    /// anything else, and its hosted service would then stop the server after it started.
    /// </summary>
    private static void CheckInterval(string key, TimeSpan interval)
    {
        if (interval != TimeSpan.Zero && (interval < MinInterval || interval > MaxInterval))
            throw new ServerConfigException(key, $"{key} must be 00:00:00 (off) or from {MinInterval} to {MaxInterval} (got {interval})");
    }

    /// <summary>
    /// How often the server saves the catalog snapshot (items added live and their numbering, content rows made live,
    /// impression counts) and empties the catalog journal. Catalog changes are journaled before a write returns, so a
    /// crash loses none; the interval bounds the journal a start replays and the impression counts (kept only in the
    /// snapshot) a crash loses. A save with nothing changed writes nothing. Default 1 minute; 00:00:00 = only at a clean
    /// stop, after a model swap and on the Checkpoint call. Catalog writes (upserts, deletes) wait only while the catalog
    /// is copied. A failed save is logged (category RecSys.Engine.Server.Catalog) and the next one runs on time.
    /// </summary>
    public TimeSpan CatalogSaveInterval { get; init; } = DefaultCatalogSaveInterval;

    /// <summary>The default of <see cref="CatalogSaveInterval"/>, also what a server started over a serving state uses.</summary>
    public static readonly TimeSpan DefaultCatalogSaveInterval = TimeSpan.FromMinutes(1);

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
        if (SourceBudget is { } budget && (budget <= TimeSpan.Zero || budget > Pipeline.Config.SourceConfig.MaxBudget))
            throw new ServerConfigException($"{s}:SourceBudget", $"{s}:SourceBudget must be positive and at most {Pipeline.Config.SourceConfig.MaxBudget} (got {budget})");
        if (PipelineConfigFile is not null && !File.Exists(PipelineConfigFile))
            throw new ServerConfigException($"{s}:PipelineConfigFile", $"{s}:PipelineConfigFile '{PipelineConfigFile}' does not exist");
        if (ExperimentsFile is not null && !File.Exists(ExperimentsFile))
            throw new ServerConfigException($"{s}:ExperimentsFile", $"{s}:ExperimentsFile '{ExperimentsFile}' does not exist");
        CheckInterval($"{s}:TrendingRefreshInterval", TrendingRefreshInterval);
        CheckInterval($"{s}:CatalogSaveInterval", CatalogSaveInterval);
        if (AttributionWindow < 1)
            throw new ServerConfigException($"{s}:AttributionWindow", $"{s}:AttributionWindow must be at least 1 (got {AttributionWindow})");
        CheckRankerOptions(RankerOptions(log: null));
        (FeatureStore ?? throw new ServerConfigException($"{s}:FeatureStore", $"{s}:FeatureStore must not be null")).Validate($"{s}:FeatureStore");
    }

    /// <summary>The execution provider <see cref="RankerProvider"/> names; another value is a config error naming the key.</summary>
    internal static OnnxExecutionProvider Provider(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "auto" => OnnxExecutionProvider.Auto,
        "cuda" => OnnxExecutionProvider.Cuda,
        "cpu" => OnnxExecutionProvider.Cpu,
        _ => throw new ServerConfigException($"{SectionName}:RankerProvider", $"{SectionName}:RankerProvider must be auto, cuda or cpu (got '{value}')"),
    };

    /// <summary>
    /// The ONNX settings of a version's learned ranker: <see cref="RankerProvider"/>, <see cref="RankerIntraOpThreads"/>,
    /// <see cref="RankerMaxCandidates"/> and <see cref="RankerConcurrentCalls"/>; <paramref name="log"/> receives the
    /// load lines.
    /// </summary>
    internal OnnxRankerOptions RankerOptions(Action<string>? log)
    {
        var options = new OnnxRankerOptions
        {
            ExecutionProvider = Provider(RankerProvider),
            IntraOpThreads = RankerIntraOpThreads,
            MaxCandidates = RankerMaxCandidates,
            Log = log,
        };
        return RankerConcurrentCalls is { } calls ? options with { ConcurrentCalls = calls } : options;
    }

    /// <summary>
    /// The user tower's ONNX settings: the ranker's provider, threads and concurrent calls. Not RankerMaxCandidates: a
    /// tower call encodes the one user of a request, so the tower keeps its own row limit.
    /// </summary>
    internal OnnxRankerOptions TowerOptions(Action<string>? log) =>
        RankerOptions(log) with { MaxCandidates = new OnnxRankerOptions().MaxCandidates };

    /// <summary>
    /// The ranker's own checks (<see cref="OnnxRankerOptions.Validate"/>), so the rule lives in one place; a value it
    /// refuses is a config error naming the Serving key it came from.
    /// </summary>
    private static void CheckRankerOptions(OnnxRankerOptions options)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string key = $"{SectionName}:" + e.ParamName switch
            {
                nameof(OnnxRankerOptions.IntraOpThreads) => nameof(RankerIntraOpThreads),
                nameof(OnnxRankerOptions.MaxCandidates) => nameof(RankerMaxCandidates),
                nameof(OnnxRankerOptions.ConcurrentCalls) => nameof(RankerConcurrentCalls),
                _ => nameof(RankerProvider),
            };
            // The exception's first line without its "(Parameter 'X')" tail: the rule as the ranker words it.
            string rule = e.Message.Split('\n')[0].Trim();
            int parameter = rule.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
            if (parameter > 0)
                rule = rule[..parameter];
            throw new ServerConfigException(key, $"{key}: {rule}");
        }
    }

    /// <summary>These options with relative paths made absolute against <paramref name="baseDirectory"/>.</summary>
    internal ServingOptions RelativeTo(string baseDirectory) => this with
    {
        RegistryDirectory = Absolute(RegistryDirectory, baseDirectory),
        CatalogDirectory = Absolute(CatalogDirectory, baseDirectory),
        ExperimentsFile = Absolute(ExperimentsFile, baseDirectory),
        PipelineConfigFile = Absolute(PipelineConfigFile, baseDirectory),
        FeatureStore = FeatureStore is null ? null! : FeatureStore with { DataDirectory = Absolute(FeatureStore.DataDirectory, baseDirectory) },
    };

    private static string? Absolute(string? path, string baseDirectory) =>
        string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path, baseDirectory);
}
