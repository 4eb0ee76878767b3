using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RecSys.Engine.Cli.Gen;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// In-process Recommend over a generated catalog (<c>recsys gen catalog</c>), one request at a time on the calling
/// thread, sources run one after another (the one-core shape):
/// <code>
///   open      ServingState over DIR/registry and DIR/store (serve.json's store sizes), the home surface's CF count
///             raised so the sources hand the merge <c>candidates</c> in all (default 500), budgets 1 s (nothing dropped);
///             with --hnsw-bf16 true|false the graphs walk level 0 on bf16 rows or not, whatever their files say
///   warm-up   requests for random users, not measured
///   settle    (unless --settle-jit-seconds 0) more warm-up rounds, with pauses, until the tiered JIT compiles nothing new
///             (TieredJitSettler): otherwise its leftover work can land in the timed pass on the one pinned core
///   pass 1    latency (Stopwatch) and allocation (GC.GetTotalAllocatedBytes, imprecise: the per-request mean over the
///             pass is exact to a few KiB in total) per request, no listener on the stage histogram
///   pass 2    the same users again with a MeterListener on recsys.pipeline.stage.duration: time per stage
///   trace     one debug request: how many candidates each source gave and the merge kept
/// </code>
/// Users are drawn uniformly from 1..users with a fixed seed, so two runs (two catalogs) ask for the same ids.
/// </summary>
internal static class PipelineBenchRunner
{
    // The JIT settling after the warm-up (TieredJitSettler): rounds of this many requests until a round and the pause
    // after it compile no more than a couple of methods, for at most this many rounds (and --settle-jit-seconds).
    private const int JitSettleRoundRequests = 500;
    private const int JitSettleMaxRounds = 20;
    private const int JitSettleQuietMethods = 2;

    public static async Task<JsonObject> RunAsync(PipelineBenchSettings settings, TextWriter log, CancellationToken cancellationToken = default)
    {
        string root = Path.GetFullPath(settings.Directory);
        using var gen = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, CatalogGenerator.SummaryName)));
        int users = gen.RootElement.GetProperty("users").GetInt32();
        int items = gen.RootElement.GetProperty("items").GetInt32();
        long nowMs = gen.RootElement.GetProperty("end_seconds").GetInt64() * 1000;
        var options = new ServingStateOptions
        {
            Store = CatalogGenerator.ReadStoreOptions(root) with { CheckpointInterval = TimeSpan.Zero },
            Pipeline = new PipelineOptions { ParallelSources = false },
            Load = new VersionLoadOptions
            {
                HnswBFloat16Traversal = settings.HnswBFloat16, HugePageMappings = settings.HugePages, HugePageLog = log.WriteLine,
                RankerLoader = settings.UseRanker ? CpuRankerLoader.Shared : null, IgnoreRanker = !settings.UseRanker,
            },
            Config = models => WithCandidates(WithAddedSources(PipelineDefaults.Config(models), settings.AddedSources ?? []).WithSourceBudget(TimeSpan.FromSeconds(1)), settings.Candidates),
            SaveOnDispose = false,
        };
        var open = Stopwatch.StartNew();
        await using var state = await OpenAsync(root, options, settings.AddedSources ?? [], cancellationToken).ConfigureAwait(false);
        if (settings.Version is { } id && id != state.ActiveVersionId)
            await state.ActivateAsync(id, cancellationToken).ConfigureAwait(false);
        log.WriteLine($"opened {root} (version '{state.ActiveVersionId}') in {open.Elapsed.TotalSeconds:F1} s");

        var pipeline = state.Pipeline;
        long[] ids = new long[settings.Requests];
        var rng = new SplitMix64(settings.Seed);
        for (int i = 0; i < ids.Length; i++)
            ids[i] = 1 + (long)(rng.Next() % (ulong)users);
        RecommendRequest Request(long user) => new() { UserId = user, K = settings.K, NowMs = nowMs };

        var warm = Stopwatch.StartNew();
        for (int i = 0; i < settings.Warmup; i++)
            await pipeline.RecommendAsync(Request(1 + (long)(rng.Next() % (ulong)users)), cancellationToken).ConfigureAwait(false);
        log.WriteLine($"warm-up: {settings.Warmup} requests in {warm.Elapsed.TotalSeconds:F1} s");
        JsonObject? settle = null;
        if (settings.JitSettleTime > TimeSpan.Zero)
        {
            var settled = await TieredJitSettler.SettleAsync(async ct =>
            {
                for (int i = 0; i < JitSettleRoundRequests; i++)
                    await pipeline.RecommendAsync(Request(1 + (long)(rng.Next() % (ulong)users)), ct).ConfigureAwait(false);
            }, JitSettleMaxRounds, JitSettleQuietMethods, settings.JitSettleTime, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"jit settle: {settled.Rounds} rounds of {JitSettleRoundRequests} requests, {settled.MethodsCompiled} methods compiled, "
                + (settled.Settled ? "settled" : $"NOT settled (the last round compiled {settled.LastRoundMethods})") + $" in {settled.Elapsed.TotalSeconds:F1} s");
            settle = new JsonObject
            {
                ["rounds"] = settled.Rounds,
                ["round_requests"] = JitSettleRoundRequests,
                ["methods"] = settled.MethodsCompiled,
                ["last_round_methods"] = settled.LastRoundMethods,
                ["settled"] = settled.Settled,
                ["seconds"] = Math.Round(settled.Elapsed.TotalSeconds, 2),
            };
        }

        var micros = new double[ids.Length];
        long dropped = 0;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        // What else ran in the process during the timed pass. Methods still being recompiled by the tiered JIT, on the
        // one core a run is pinned to, made the 3-4 ms p99 of some 1M runs (bench/results/pipeline-ranker-1m-2026-12-07);
        // that shows here, not in the stage times. So do GC pauses.
        long jitMethodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        TimeSpan jitTimeBefore = System.Runtime.JitInfo.GetCompilationTime(), gcPauseBefore = GC.GetTotalPauseDuration();
        var pass = Stopwatch.StartNew();
        for (int i = 0; i < ids.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var response = await pipeline.RecommendAsync(Request(ids[i]), cancellationToken).ConfigureAwait(false);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            dropped += response.DroppedSources.Count;
        }
        double seconds = pass.Elapsed.TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var gcs = new JsonObject
        {
            ["gen0"] = GC.CollectionCount(0) - gen0,
            ["gen1"] = GC.CollectionCount(1) - gen1,
            ["gen2"] = GC.CollectionCount(2) - gen2,
            ["pause_ms"] = Math.Round((GC.GetTotalPauseDuration() - gcPauseBefore).TotalMilliseconds, 2),
        };
        var jit = new JsonObject
        {
            ["methods"] = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethodsBefore,
            ["ms"] = Math.Round((System.Runtime.JitInfo.GetCompilationTime() - jitTimeBefore).TotalMilliseconds, 2),
        };
        log.WriteLine($"measured: {ids.Length} requests in {seconds:F1} s");

        var stages = await StageTimesAsync(pipeline, ids, Request, cancellationToken).ConfigureAwait(false);
        var trace = await pipeline.RecommendAsync(Request(ids[0]) with { Debug = true }, cancellationToken).ConfigureAwait(false);
        var sourceCounts = new JsonObject();
        foreach (var s in trace.Trace!.Stages)
            sourceCounts[s.Stage] = s.ItemIds.Length;

        Array.Sort(micros);
        return new JsonObject
        {
            ["catalog"] = new JsonObject { ["items"] = items, ["users"] = users, ["dimension"] = gen.RootElement.GetProperty("dimension").GetInt32() },
            ["version"] = state.ActiveVersionId,
            ["cf_index"] = state.Registry.Get(state.ActiveVersionId).Manifest.Indexes["cf"].Spec,
            ["hnsw_bf16"] = state.Pipeline.Version.Models.CfIndex is HnswIndex graph ? graph.Options.BFloat16Traversal : null,
            ["huge_pages"] = settings.HugePages,
            ["ranker"] = trace.Ranker,
            ["candidates_configured"] = settings.Candidates,
            ["home_sources"] = string.Join(",", state.Pipeline.Version.Config.Surface("home").Sources.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Name}:{x.Count}:{x.Weight:G}"))),
            ["requests"] = ids.Length,
            ["warmup"] = settings.Warmup,
            ["jit_settle"] = settle,
            ["k"] = settings.K,
            ["throughput_rps"] = Math.Round(ids.Length / seconds, 1),
            ["latency_us"] = Percentiles(micros),
            ["allocated_bytes_per_request"] = allocated / ids.Length,
            ["gc_collections"] = gcs,
            ["jit_during_pass"] = jit,
            ["dropped_sources"] = dropped,
            ["stage_us"] = stages,
            ["trace_counts"] = sourceCounts,
            ["processor_count"] = Environment.ProcessorCount,
            ["server_gc"] = System.Runtime.GCSettings.IsServerGC,
        };
    }

    /// <summary>
    /// Opens the catalog's serving state. A version that lacks the model of an added source (a catalog generated before
    /// the sequence model was fitted has no "sequence") is refused at load: that refusal is bad --add-source input.
    /// </summary>
    private static async Task<ServingState> OpenAsync(string root, ServingStateOptions options, IReadOnlyList<SourceConfig> added, CancellationToken cancellationToken)
    {
        try
        {
            return await ServingState.OpenAsync(Path.Combine(root, CatalogGenerator.RegistryName), Path.Combine(root, CatalogGenerator.StoreName), options, cancellationToken).ConfigureAwait(false);
        }
        catch (UnknownSourceException e) when (added.Any(a => a.Name == e.SourceName))
        {
            throw new CliInputException($"--add-source: {e.Message}");
        }
    }

    /// <summary>The home surface with <paramref name="added"/> after its default sources (a source it lists already is refused by name).</summary>
    private static PipelineConfig WithAddedSources(PipelineConfig config, IReadOnlyList<SourceConfig> added)
    {
        if (added.Count == 0)
            return config;
        var home = config.Surface("home");
        foreach (var a in added)
        {
            if (home.Sources.Any(s => s.Name == a.Name) || added.Count(x => x.Name == a.Name) > 1)
                throw new CliInputException($"--add-source: '{a.Name}' is on the home surface already ({string.Join(", ", home.Sources.Select(s => s.Name))})");
        }
        return config with { Surfaces = [.. config.Surfaces.Select(s => s.Name == "home" ? s with { Sources = [.. s.Sources, .. added] } : s)] };
    }

    /// <summary>
    /// The home surface with its collaborative count raised (or lowered) so that the source counts add up to
    /// <paramref name="candidates"/>; the new-items source is left out of the sum, as a generated catalog has no new
    /// items for it to give.
    /// </summary>
    private static PipelineConfig WithCandidates(PipelineConfig config, int candidates) => config with
    {
        Surfaces = [.. config.Surfaces.Select(s =>
        {
            if (s.Name != "home" || s.Sources.All(x => x.Name != SourceNames.Collaborative))
                return s;
            int others = s.Sources.Where(x => x.Name is not (SourceNames.Collaborative or SourceNames.NewItems)).Sum(x => x.Count);
            int cf = Math.Max(1, candidates - others);
            return s with { Sources = [.. s.Sources.Select(x => x.Name == SourceNames.Collaborative ? x with { Count = cf } : x)] };
        })],
    };

    /// <summary>
    /// The samples of the run whose requests are in flight in this async flow. The stage histogram's meter is one per
    /// process, so a listener also hears every other pipeline in it (another run or test beside this one), on their
    /// threads; each run's callback keeps only the measurements made inside its own flow.
    /// </summary>
    private static readonly AsyncLocal<object?> MeasuringFor = new();

    private static async Task<JsonObject> StageTimesAsync(Pipeline.RecommendationPipeline pipeline, long[] ids, Func<long, RecommendRequest> request, CancellationToken ct)
    {
        var samples = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineMetrics.MeterName)
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            if (!ReferenceEquals(MeasuringFor.Value, samples))
                return;
            foreach (var tag in tags)
            {
                if (tag.Key == "stage" && tag.Value is string stage)
                {
                    // A request's parallel sources may record from several threads at once.
                    lock (samples)
                    {
                        if (!samples.TryGetValue(stage, out var list))
                            samples[stage] = list = new List<double>(ids.Length);
                        list.Add(value * 1e6);
                    }
                }
            }
        });
        listener.Start();
        MeasuringFor.Value = samples;
        try
        {
            foreach (long id in ids)
                await pipeline.RecommendAsync(request(id), ct).ConfigureAwait(false);
        }
        finally
        {
            MeasuringFor.Value = null;
        }
        listener.Dispose();
        var result = new JsonObject();
        foreach (string stage in new[] { "user_context", "sources", "merge_filter", "rank", "post" })
        {
            if (!samples.TryGetValue(stage, out var list))
                continue;
            var sorted = list.ToArray();
            Array.Sort(sorted);
            var percentiles = Percentiles(sorted);
            percentiles["samples"] = sorted.Length;
            result[stage] = percentiles;
        }
        return result;
    }

    private static JsonObject Percentiles(double[] sorted)
    {
        double At(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new JsonObject
        {
            ["p50"] = Math.Round(At(0.50), 1),
            ["p90"] = Math.Round(At(0.90), 1),
            ["p99"] = Math.Round(At(0.99), 1),
            ["p999"] = Math.Round(At(0.999), 1),
            ["max"] = Math.Round(sorted.Length == 0 ? 0 : sorted[^1], 1),
            ["mean"] = Math.Round(sorted.Length == 0 ? 0 : sorted.Average(), 1),
        };
    }
}
