using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using RecSys.Engine.Pipeline;
using RecSys.Engine.Server.Health;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Interception;

namespace RecSys.Engine.Server.Metrics;

/// <summary>
/// The server's OpenTelemetry instruments (meter <see cref="MeterName"/>), scraped as Prometheus text from /metrics:
/// <code>
///   recsys.rpc.requests         counter    per method and gRPC status code (errors are the codes other than OK)
///   recsys.rpc.duration         histogram  seconds, per method and status code
///   recsys.pipeline.duration    histogram  seconds of the pipeline call behind an RPC, per operation (recommend, rank, ...)
///   recsys.events.lag           histogram  seconds from an event's time to its arrival
///   recsys.index.vectors / recsys.index.memory_bytes   gauges per index (cf, content, embedding sets)
///   recsys.catalog.items        gauge      catalog ordinals
///   recsys.model.active         gauge      1, labelled with the active version
///   recsys.pipeline.requests / events / fold_ins / item_fold_ins   counters from the pipeline's own stats
///   recsys.pipeline.degraded    counter    recommendations whose sources ran degraded (server busy)
///   recsys.source.runs / failures / timeouts           counters per candidate source
///   recsys.admission.in_flight  gauge;  recsys.admission.rejected  counter per reason (concurrency_limit, queue_delay)
///   recsys.admission.queue_delay gauge   seconds work waits in the thread pool's queue (the overload signal)
///   recsys.feature_store.healthy gauge   1 healthy, 0 degraded
///   recsys.experiment.requests / impressions / clicks   counters per experiment and variant (CTR = clicks / impressions)
///   recsys.attribution.clicks   counter per outcome: attributed, unattributed (request id unknown or out of the window)
///   recsys.trending.refreshes   counter per outcome: ok, failed (Serving:TrendingRefreshInterval)
///   recsys.catalog.saves        counter per outcome: ok, failed (Serving:CatalogSaveInterval; failed ones lose data on a crash)
/// </code>
/// The pipeline's own stage latencies (recsys.pipeline.stage.duration per stage: user_context, sources, merge_filter,
/// rank, post) come from its meter, <see cref="Pipeline.Serving.PipelineMetrics"/>, exported beside these.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    /// <summary>The meter name to add to a MeterProvider.</summary>
    public const string MeterName = "RecSys.Engine.Server";

    private static readonly double[] s_latencyBuckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _pipeline;
    private readonly Histogram<double> _eventLag;

    public ServerMetrics(IMeterFactory meters, ServingContext serving, AdmissionControl admission, TrendingRefreshService trending, CatalogSaveService catalogSaves)
    {
        var pipeline = serving.Pipeline;
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("recsys.rpc.requests", description: "gRPC calls finished, by method and status code");
        _duration = _meter.CreateHistogram<double>("recsys.rpc.duration", "s", "gRPC call latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_latencyBuckets });
        _pipeline = _meter.CreateHistogram<double>("recsys.pipeline.duration", "s", "Latency of the pipeline call behind an RPC, by operation",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_latencyBuckets });
        _eventLag = _meter.CreateHistogram<double>("recsys.events.lag", "s", "Time from an event's timestamp to its arrival at the server",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 1, 10, 60, 600, 3600, 86_400] });

        _meter.CreateObservableGauge("recsys.index.vectors", () => Indexes(pipeline, i => i.Vectors), description: "Vectors in each index of the active version (cf, content, embedding sets)");
        _meter.CreateObservableGauge("recsys.index.memory_bytes", () => Indexes(pipeline, i => i.MemoryBytes), "By", "Bytes each index of the active version holds");
        _meter.CreateObservableGauge("recsys.catalog.items", () => (long)pipeline.Catalog.Length, description: "Catalog ordinals (deleted items included)");
        _meter.CreateObservableGauge("recsys.model.active", () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", serving.ActiveVersion)),
            description: "1, labelled with the active version (the registry's version id, or the pipeline version's name)");
        _meter.CreateObservableCounter("recsys.pipeline.requests", () => pipeline.Stats.Requests, description: "Recommendations answered by the pipeline");
        _meter.CreateObservableCounter("recsys.pipeline.events", () => pipeline.Stats.Events, description: "Events recorded");
        _meter.CreateObservableCounter("recsys.pipeline.fold_ins", () => pipeline.Stats.FoldIns, description: "User CF vectors folded in after events");
        _meter.CreateObservableCounter("recsys.pipeline.item_fold_ins", () => pipeline.Stats.ItemFoldIns,
            description: "CF rows folded in for items added after training, from their users (once per serving model)");
        _meter.CreateObservableCounter("recsys.pipeline.item_fold_ins_deferred", () => pipeline.Stats.ItemFoldInsDeferred,
            description: "Item fold-ins put off (catalog writes held past Pipeline ItemFoldInWait) or failed; each is done at the item's next event");
        _meter.CreateObservableCounter("recsys.pipeline.impressions_without_surface", () => pipeline.Stats.ImpressionsWithoutSurface,
            description: "Impressions whose value named no serving surface's code, kept as impressions of no surface (value 0)");
        _meter.CreateObservableCounter("recsys.pipeline.degraded", () => pipeline.Stats.Degraded,
            description: "Recommendations whose sources ran with fewer candidates and narrower searches because the server was busy (Server:Admission:DegradeAbove)");
        _meter.CreateObservableCounter("recsys.source.runs", () => Sources(pipeline, c => c.Runs), description: "Candidate source runs");
        _meter.CreateObservableCounter("recsys.source.failures", () => Sources(pipeline, c => c.Failures), description: "Source runs dropped because the source threw");
        _meter.CreateObservableCounter("recsys.source.timeouts", () => Sources(pipeline, c => c.Timeouts), description: "Source runs dropped for running past their budget");
        _meter.CreateObservableGauge("recsys.admission.in_flight", () => admission.InFlight, description: "recsys.v1 calls in flight");
        _meter.CreateObservableCounter("recsys.admission.rejected", () => (Measurement<long>[])[
                new(admission.RejectedConcurrencyLimit, new KeyValuePair<string, object?>("reason", "concurrency_limit")),
                new(admission.RejectedQueueDelay, new KeyValuePair<string, object?>("reason", "queue_delay"))],
            description: "Calls refused by admission control (RESOURCE_EXHAUSTED), by reason");
        if (admission.QueueDelay is { } queue)
        {
            _meter.CreateObservableGauge("recsys.admission.queue_delay", () => queue.DelayMs / 1000, "s",
                "How long work waits in the thread pool's queue (Server:Admission:MaxQueueDelay refuses calls past it)");
            _meter.CreateObservableCounter("recsys.admission.queue_delay_episodes", () => admission.QueueDelayEpisodes,
                description: "Runs of refusals for queue delay (each logged with what the second before it was spent on: CPU, GC, pool threads)");
        }
        _meter.CreateObservableGauge("recsys.feature_store.healthy",
            () => FeatureStoreHealthCheck.Of(pipeline.Store) is { } h && h.Status != Features.FeatureStoreHealthStatus.Healthy ? 0 : 1,
            description: "1 while the feature store is healthy, 0 while its checkpoints fail");
        _meter.CreateObservableCounter("recsys.experiment.requests", () => Variants(pipeline, v => v.Requests), description: "Recommendations answered per experiment variant");
        _meter.CreateObservableCounter("recsys.experiment.impressions", () => Variants(pipeline, v => v.Impressions), description: "Items returned per experiment variant");
        _meter.CreateObservableCounter("recsys.experiment.clicks", () => Variants(pipeline, v => v.Clicks),
            description: "Shown items clicked or purchased with the request id that showed them, per experiment variant");
        _meter.CreateObservableCounter("recsys.attribution.clicks", () => (Measurement<long>[])[
                new(pipeline.Stats.AttributedClicks, new KeyValuePair<string, object?>("outcome", "attributed")),
                new(pipeline.Stats.UnattributedClicks, new KeyValuePair<string, object?>("outcome", "unattributed"))],
            description: "Clicks and purchases carrying a request id, by whether a variant was credited");
        _meter.CreateObservableCounter("recsys.trending.refreshes", () => (Measurement<long>[])[
                new(trending.Refreshes, new KeyValuePair<string, object?>("outcome", "ok")),
                new(trending.Failures, new KeyValuePair<string, object?>("outcome", "failed"))],
            description: "Re-rankings of the popularity and trending lists from the store's counters (Serving:TrendingRefreshInterval), by outcome");
        _meter.CreateObservableCounter("recsys.catalog.saves", () => (Measurement<long>[])[
                new(catalogSaves.Runs, new KeyValuePair<string, object?>("outcome", "ok")),
                new(catalogSaves.Failures, new KeyValuePair<string, object?>("outcome", "failed"))],
            description: "Timed saves of the catalog snapshot (Serving:CatalogSaveInterval), by outcome: a failed one leaves the catalog changes since the last good save to be lost on a crash");
    }

    private static IEnumerable<Measurement<long>> Variants(RecommendationPipeline pipeline, Func<Pipeline.Experiments.VariantCounters, long> value)
    {
        foreach (var v in pipeline.ExperimentCounters)
            yield return new Measurement<long>(value(v), new KeyValuePair<string, object?>("experiment", v.Experiment), new KeyValuePair<string, object?>("variant", v.Variant));
    }

    /// <summary>One finished call.</summary>
    public void RecordCall(string method, StatusCode status, long startTimestamp)
    {
        var tags = new TagList { { "rpc.method", method }, { "rpc.grpc.status_code", status.ToString() } };
        _requests.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }

    /// <summary>One pipeline call behind an RPC, started at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void RecordPipeline(string operation, long startTimestamp) =>
        _pipeline.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    /// <summary>An event that happened at <paramref name="eventMs"/> arrived at <paramref name="nowMs"/>.</summary>
    public void RecordEventLag(long eventMs, long nowMs) => _eventLag.Record(Math.Max(0, nowMs - eventMs) / 1000.0);

    private static IEnumerable<Measurement<long>> Indexes(RecommendationPipeline pipeline, Func<Pipeline.Serving.IndexSummary, long> value) =>
        pipeline.DescribeIndexes().Select(i => new Measurement<long>(value(i), new KeyValuePair<string, object?>("index", i.Name)));

    private static IEnumerable<Measurement<long>> Sources(RecommendationPipeline pipeline, Func<Pipeline.Serving.SourceCounters, long> value)
    {
        foreach (var (name, counters) in pipeline.Stats.Sources)
            yield return new Measurement<long>(value(counters), new KeyValuePair<string, object?>("source", name));
    }

    public void Dispose() => _meter.Dispose();
}
