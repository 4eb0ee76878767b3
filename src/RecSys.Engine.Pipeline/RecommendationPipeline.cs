using Microsoft.Extensions.Logging;
using RecSys.Engine.Features;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

/// <summary>
/// The request path: "what should user U see on surface S now", in process (the server puts it on the wire).
/// <code>
///   RecommendAsync(request)
///     -> version (config + models + sources + ranker), read once: a swap never changes a request in flight
///     -> surface config (unknown: ArgumentException naming "surface"); k checked against it
///     -> user context from the feature store: profile + segment, recent history (seen set, seeds, category shares),
///        CF vector (stored fold-in, else the trained row, else folded in now), content profile (history + onboarding)
///     -> candidate sources in parallel, each with its count and time budget (count and beam shrunk while the host is
///        busy: Degradation); one that throws or overruns is dropped (logged, counted), the request still answers
///     -> merge + dedupe with provenance -> filters (available, seen, already shown)
///     -> [search: the personal re-rank column] -> feature assembly (learned ranker only) -> one ranker call
///     -> post-processing: rules, freshness -> sort -> diversity (MMR, category caps) -> exploration slots -> pins
///     -> response: items, scores, sources, propensities, request id, version; served items count as impressions
///   RecordEventsAsync(events) -> store (history, counters) -> impressions -> fold-in -> store; returns after all of it
///   UpsertItemAsync / DeleteItemAsync -> store -> live catalog -> indexes (HNSW insert / delete, no pause in serving)
/// </code>
/// Thread-safe. The request path allocates only what it returns (and what the store's reads return): every buffer
/// is pooled per request, no LINQ, nothing per candidate.
/// </summary>
public sealed partial class RecommendationPipeline
{
    private static readonly Action<ILogger, long, string, Exception?> s_logItemFoldInFailed =
        LoggerMessage.Define<long, string>(LogLevel.Warning, new EventId(1302, "ItemFoldInFailed"),
            "item {ItemId}: the CF row was not folded in ({Reason}); its events are stored, and its next event tries again");

    private static readonly Action<ILogger, int, string, Exception?> s_logInteractorsNotJournaled =
        LoggerMessage.Define<int, string>(LogLevel.Warning, new EventId(1303, "InteractorsNotJournaled"),
            "{Count} users of new items were not journaled ({Reason}); they are served, and the next catalog save keeps them, but a crash before it loses them");

    private static readonly Action<ILogger, string, string, string, Exception?> s_logDropped =
        LoggerMessage.Define<string, string, string>(LogLevel.Warning, new EventId(1300, "SourceDropped"),
            "source {Source} dropped for request {RequestId}: {Reason}");

    private readonly IFeatureStore _store;
    private readonly LiveCatalog _catalog;
    private readonly PipelineOptions _options;
    private readonly ScratchPool _pool;
    private readonly SemaphoreSlim _catalogWrites = new(1, 1);
    private readonly Lock _swapLock = new();
    private ServingRoute _route;
    private SourceDegradation? _degradation;

    public RecommendationPipeline(IFeatureStore store, LiveCatalog catalog, PipelineVersion version, PipelineOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _route = new ServingRoute(version ?? throw new ArgumentNullException(nameof(version)), null);
        // The catalog's rows are the active version's (see Activate); a version made over this catalog reads them already.
        _catalog.UseContent(version.ContentRows);
        _options = options ?? new PipelineOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ScratchPoolSize, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchParallelism, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.AttributionCapacity, 1);
        _pool = new ScratchPool(_options.ScratchPoolSize);
        _attribution = new Experiments.RequestAttribution(_options.AttributionCapacity);
    }

    /// <summary>The version new requests run with (outside experiments).</summary>
    public PipelineVersion Version => Volatile.Read(ref _route).Active;

    public LiveCatalog Catalog => _catalog;

    public IFeatureStore Store => _store;

    public PipelineStats Stats { get; } = new();

    /// <summary>
    /// How sources shrink when the host in front is busy; set by that host (the gRPC server, from its admission
    /// control), null = sources always run at their configured size. Read once per request.
    /// </summary>
    public SourceDegradation? Degradation
    {
        get => Volatile.Read(ref _degradation);
        set => Volatile.Write(ref _degradation, value);
    }

    /// <summary>
    /// Makes <paramref name="version"/> the one new requests run with (and the basis of the experiments' variants);
    /// requests in flight finish on theirs. Returns the previous one, still owned by the caller (<see cref="PipelineVersion.Retire"/>
    /// releases its files after its last request). Item updates write into the serving versions' indexes without taking
    /// references: retire a swapped-out version while no update runs (<see cref="ServingState"/> swaps and retires with
    /// item updates held off).
    /// </summary>
    public PipelineVersion Activate(PipelineVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        lock (_swapLock)
        {
            var previous = _route;
            var binding = previous.Binding?.Set.Bind(version, _catalog);
            // The catalog's rows are the active version's: what a snapshot saves and the journal's records extend.
            _catalog.UseContent(version.ContentRows);
            Volatile.Write(ref _route, new ServingRoute(version, binding));
            previous.Binding?.Retire();
            return previous.Active;
        }
    }

    private long Now(long? given) => given ?? _options.Clock.GetUtcNow().ToUnixTimeMilliseconds();
}
