using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Ranking;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Ranking.Onnx;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Cli.Demo;

/// <summary>
/// <c>recsys demo</c> end to end:
/// <code>
///   1 data      the planted catalog (or MovieLens 100K)
///   2 train     ALS, the content encoder, popularity and trending by segment (TrainedModels.Train)
///   3 ranker    the MLP ranker, on rows the serving pipeline's own sources make for held-out events
///               (ServedRankerTrainer), exported to ONNX; a failure here falls back to rank fusion, said in one line
///   4 version   a registry version (HNSW indexes over the ALS item factors and the content vectors), the feature
///               store seeded (items, users, histories), activated and opened: ServingState.CreateAsync, as a server
///   5 server    the real gRPC server on 127.0.0.1 (RecSysServer), an API key with read and write roles for this run
///   6 calls     Recommend / SimilarItems / RecordEvents / Recommend again / cold start, through the generated client
///   then serve until SIGINT or SIGTERM: a graceful stop (drain, save the state), the temp directory removed
/// </code>
/// The version ships the ranker file and the serving state loads it through <see cref="OnnxRankerLoader"/>, as
/// <c>recsys serve</c> does, so Recommend is ranked by it.
/// </summary>
internal static class DemoRunner
{
    private const string CfIndex = "HNSW16,efc100";

    public static async Task<(int Code, DemoReport Report)> RunAsync(DemoSettings settings, TextWriter stdout, TextWriter stderr)
    {
        settings.Validate();
        using var signal = new ShutdownSignal();
        using var cancel = new CancellationTokenSource();
        _ = signal.Signalled.ContinueWith(_ => cancel.Cancel(), TaskScheduler.Default);
        var token = cancel.Token;

        bool temp = settings.DataDirectory is null;
        string root = settings.DataDirectory ?? Directory.CreateTempSubdirectory("recsys-demo-").FullName;
        try
        {
            var steps = new StepClock(stderr, 6);
            var data = settings.MovieLens is { } ml
                ? await steps.RunAsync("reading MovieLens 100K", () => Task.FromResult(DemoDataSet.MovieLens(ml))).ConfigureAwait(false)
                : await steps.RunAsync($"generating {settings.Items} items, {settings.Users} users with planted tastes",
                    progress => Task.FromResult(DemoDataSet.Planted(settings.Items, settings.Users, settings.Seed, progress))).ConfigureAwait(false);
            stdout.WriteLine($"data: {data.Source}: {data.Data.Events.Count} events, {data.Data.UserCount} users, {data.Data.ItemCount} items");

            var modelSettings = ModelSettingsFor(settings);
            var models = await steps.RunAsync($"training ALS ({modelSettings.Als.Factors} factors, {modelSettings.Als.Iterations} sweeps), content, popularity, trending",
                () => Task.Run(() => TrainedModels.Train(data.Data, modelSettings, token), token)).ConfigureAwait(false);

            string rankerPath = Path.Combine(root, "ranker", "ranker.onnx");
            var trained = await steps.RunAsync($"training the mlp ranker on the pipeline's own candidates ({Math.Min(RankerUsers, data.Data.UserCount)} users' requests)",
                () => TrainRankerAsync(data, modelSettings, rankerPath, settings.Seed, stderr, token)).ConfigureAwait(false);
            // The model gate: a ranker that does not beat rank fusion on its validation requests is not shipped.
            var ranker = trained is { BeatsFusion: true } ? trained : null;

            var build = new VersionBuildOptions
            {
                Id = "demo",
                Description = "recsys demo",
                Source = data.Source,
                Settings = modelSettings,
                CfIndex = CfIndex,
                ContentIndex = CfIndex,
                RankerFile = ranker?.Path,
                Metrics = trained is null ? new Dictionary<string, double>() : new Dictionary<string, double>
                {
                    ["ranker_validation_ndcg@10"] = trained.ValidationNdcg,
                    ["rank_fusion_validation_ndcg@10"] = trained.FusionNdcg,
                },
            };
            var stateOptions = new ServingStateOptions
            {
                Store = new FasterFeatureStoreOptions { DataDirectory = "-" },
                Seed = new BootstrapOptions { PublishedAtMs = data.PublishedAtMs },
                Load = new VersionLoadOptions { VerifyHashes = true, RankerLoader = DemoRankers },
                Config = models => PipelineDefaults.Config(models).WithSourceBudget(TimeSpan.FromMilliseconds(settings.SourceBudgetMs)),
            };
            await using var state = await steps.RunAsync($"building the {CfIndex} indexes, seeding the feature store, opening the version",
                () => CreateStateAsync(root, data, models, build, stateOptions, stderr, token)).ConfigureAwait(false);
            stdout.WriteLine($"models: version '{state.ActiveVersionId}'; ranker: {DescribeRanker(state, trained)}");

            string apiKey = NewApiKey();
            var serverOptions = new ServerOptions
            {
                Host = "127.0.0.1",
                Port = settings.Port,
                Metrics = new MetricsOptions { Port = 0 },
                Auth = new AuthOptions { Keys = [new ApiKeyOptions { Name = "demo", Key = apiKey, Roles = ["Read", "Write"] }] },
                // A demo's few calls on a laptop that is busy with something else must not be refused or degraded by the
                // queue-delay signal (its probe waits longer when other processes take the CPU too); the concurrency limit stays.
                Admission = new AdmissionOptions { MaxQueueDelay = TimeSpan.Zero },
            };
            await using var server = await steps.RunAsync("starting the gRPC server", () => StartAsync(serverOptions, state, token)).ConfigureAwait(false);

            using var channel = GrpcChannel.ForAddress(server.Address);
            var calls = new DemoCalls(new Recommender.RecommenderClient(channel), new Catalog.CatalogClient(channel), apiKey, data, stdout);
            var scenario = data.PickScenario(settings.Likes);
            stdout.WriteLine();
            var report = await steps.RunAsync("calling the server through the generated client", () => calls.RunAsync(scenario, token)).ConfigureAwait(false);
            stderr.WriteLine($"started in {steps.Elapsed.TotalSeconds:F1} s");

            PrintServing(stdout, server, apiKey, scenario, data, temp ? root : null);
            if (!settings.NoServe)
            {
                stdout.WriteLine("Serving until Ctrl-C or SIGTERM.");
                stdout.Flush();
                string which = await signal.Signalled.ConfigureAwait(false);
                stderr.WriteLine($"{which}: stopping gracefully (finishing calls in flight, saving the state)");
            }
            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
            stderr.WriteLine("stopped");
            return (CliRunner.ExitOk, report);
        }
        finally
        {
            if (temp)
                TryDelete(root, stderr);
        }
    }

    /// <summary>
    /// Users whose home requests make the ranker's rows: each brings every candidate that survived the filters (several
    /// hundred), so a few hundred users give ample rows while the step stays a small share of the start.
    /// </summary>
    private const int RankerUsers = 300;

    /// <summary>
    /// CPU: one small MLP over a few hundred candidates is a fraction of a millisecond there, and the auto provider's
    /// CUDA probe prints ONNX Runtime's native load error on a machine without CUDA 13 (`recsys serve` keeps auto).
    /// </summary>
    private static readonly OnnxRankerLoader DemoRankers = new(new OnnxRankerOptions { ExecutionProvider = OnnxExecutionProvider.Cpu });

    /// <summary>The ranker of the version, or null (said in one line on stderr) when training fails: the demo then serves rank fusion.</summary>
    private static async Task<ServedRanker?> TrainRankerAsync(DemoDataSet data, ModelSettings settings, string path, ulong seed, TextWriter stderr, CancellationToken token)
    {
        var options = new ServedRankerOptions
        {
            Kind = RankerKind.Mlp,
            MaxUsers = RankerUsers,
            CfIndex = CfIndex,
            ContentIndex = CfIndex,
            PublishedAtMs = data.PublishedAtMs,
            NowMs = data.NowMs,
            Seed = seed,
        };
        try
        {
            return await Task.Run(() => ServedRankerTrainer.TrainAsync(data.Data, settings, models => PipelineDefaults.Config(models), path, options, token), token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            stderr.WriteLine($"ranker: training the mlp ranker failed ({e.GetType().Name}: {e.Message}); serving rank fusion (rrf) instead");
            return null;
        }
    }

    /// <summary>
    /// The first start with the version's ranker loaded through ONNX Runtime; when it cannot be served (the loader refuses
    /// it) the store and version written stay, and the version is opened again with the rank-fusion fallback.
    /// </summary>
    private static async Task<ServingState> CreateStateAsync(string root, DemoDataSet data, TrainedModels models, VersionBuildOptions build,
        ServingStateOptions options, TextWriter stderr, CancellationToken token)
    {
        string registry = Path.Combine(root, "registry"), store = Path.Combine(root, "store");
        try
        {
            return await ServingState.CreateAsync(registry, store, data.Data, models, build, options, token).ConfigureAwait(false);
        }
        catch (InvalidDataException e) when (build.RankerFile is not null)
        {
            stderr.WriteLine($"ranker: the version's mlp ranker cannot be served ({e.Message}); serving rank fusion (rrf) instead");
            return await ServingState.OpenAsync(registry, store, options with { Load = options.Load with { IgnoreRanker = true } }, token).ConfigureAwait(false);
        }
    }

    /// <summary>What ranks Recommend, from the pipeline itself (not from what was meant to be loaded).</summary>
    private static string DescribeRanker(ServingState state, ServedRanker? trained)
    {
        string served = state.Pipeline.Version.Ranker.Name;
        if (trained is { BeatsFusion: false })
            return string.Create(CultureInfo.InvariantCulture,
                $"rank fusion ({served}); the {trained.KindName} ranker trained on {trained.Queries} requests scored validation NDCG@10 "
                + $"{trained.ValidationNdcg:F3}, not above rank fusion's {trained.FusionNdcg:F3} on the same requests, so the version does not ship it");
        if (trained is null || served != "onnx-" + trained.KindName)
            return $"rank fusion ({served})";
        string best = trained.SourceNdcg.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $", best source alone {trained.SourceNdcg.MaxBy(p => p.Value).Key} {trained.SourceNdcg.Values.Max():F3}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{trained.KindName} v{trained.Schema.Version} ({served}, ONNX Runtime; {trained.Schema.Count} features over sources {string.Join(", ", trained.Schema.Sources)}; "
            + $"trained on {trained.Rows} candidates of {trained.Queries} requests, validation NDCG@10 {trained.ValidationNdcg:F3}, rank fusion {trained.FusionNdcg:F3}{best})");
    }

    /// <summary>
    /// Small ALS and content settings: the demo must start in minutes on 2 cores; the generated data's tastes need few factors.
    /// ALS's lambda grows with the square root of the users: held-out NDCG@10 on the generated catalog peaked near 20-25
    /// at 500 users, 50 at 5,000 and 100 at 20,000 (bench/results/demo-catalog-2026-12-06); alpha 4.
    /// </summary>
    private static ModelSettings ModelSettingsFor(DemoSettings settings) => settings.MovieLens is null
        ? new ModelSettings
        {
            Als = new AlsOptions { Factors = 32, Iterations = 8, Lambda = 100f * MathF.Sqrt(settings.Users / 20_000f), Alpha = 4f, Seed = settings.Seed },
            Content = new ContentOptions { HashBuckets = 64 },
        }
        : new ModelSettings
        {
            Als = new AlsOptions { Seed = settings.Seed },
            Content = new ContentOptions { HashBuckets = 128 },
        };

    private static async Task<RunningServer> StartAsync(ServerOptions options, ServingState state, CancellationToken cancellationToken)
    {
        try
        {
            // Warnings only: the demo prints what matters itself.
            return await RecSysServer.StartAsync(options, state, logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning), cancellationToken).ConfigureAwait(false);
        }
        catch (ServerConfigException e)
        {
            throw new CliInputException($"--port {options.Port}: {e.Message} (--port 0 picks a free port)");
        }
    }

    /// <summary>32 random bytes, base64url: no white space, safe in a shell line.</summary>
    private static string NewApiKey() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static void PrintServing(TextWriter o, RunningServer server, string apiKey, DemoScenario s, DemoDataSet data, string? tempDirectory)
    {
        string hostPort = $"{server.Address.Host}:{server.Port}";
        var user = DemoCalls.IdOf(s.User);
        string userJson = user.KindCase == Id.KindOneofCase.Num ? $"{{\"num\":\"{user.Num}\"}}" : $"{{\"str\":\"{user.Str}\"}}";
        string context = data.HistoricalNow
            ? $",\"context\":{{\"now\":\"{DateTimeOffset.FromUnixTimeMilliseconds(data.NowMs).UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\"}}"
            : "";
        o.WriteLine($"Server: {server.Address} (gRPC, h2c; reflection and health on)");
        o.WriteLine($"API key (roles read, write; made for this run): {apiKey}");
        if (server.MetricsAddress is { } metrics)
            o.WriteLine($"Metrics: {metrics}");
        o.WriteLine("Try:");
        o.WriteLine($"  grpcurl -plaintext -H 'x-api-key: {apiKey}' -d '{{\"user\":{userJson},\"k\":5{context}}}' {hostPort} recsys.v1.Recommender/Recommend");
        o.WriteLine($"  grpcurl -plaintext {hostPort} list");
        if (tempDirectory is not null)
            o.WriteLine($"Data: {tempDirectory} (removed on exit)");
    }

    private static void TryDelete(string directory, TextWriter log)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException e)
        {
            log.WriteLine($"note: could not remove {directory}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            log.WriteLine($"note: could not remove {directory}: {e.Message}");
        }
    }
}
