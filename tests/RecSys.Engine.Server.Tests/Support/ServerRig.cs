using Grpc.Core;
using Grpc.Net.Client;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Tests.Support;

/// <summary>
/// A real server over a <see cref="PipelineHarness"/> (planted catalog, trained models, FASTER store on a temp
/// directory) on 127.0.0.1 and a free port, with a channel and the generated clients.
/// </summary>
public sealed class ServerRig : IAsyncDisposable
{
    private ServerRig(PipelineHarness harness, RunningServer server, LogCapture logs)
    {
        Harness = harness;
        Server = server;
        Logs = logs;
        Channel = GrpcChannel.ForAddress(server.Address);
        Recommender = new Recommender.RecommenderClient(Channel);
        Catalog = new Api.V1.Catalog.CatalogClient(Channel);
        Admin = new Admin.AdminClient(Channel);
    }

    public PipelineHarness Harness { get; }

    public RunningServer Server { get; }

    public LogCapture Logs { get; }

    public GrpcChannel Channel { get; }

    public Recommender.RecommenderClient Recommender { get; }

    public Api.V1.Catalog.CatalogClient Catalog { get; }

    public Admin.AdminClient Admin { get; }

    /// <summary>Options every test server starts from: a free port for gRPC and for metrics, the test keys, small limits.</summary>
    public static ServerOptions TestOptions => new()
    {
        Port = 0,
        Metrics = new MetricsOptions { Port = 0 },
        Auth = TestKeys.Auth,
        MaxReceiveMessageBytes = 1 << 20,
        Limits = new RequestLimits { MaxEventsPerCall = 50, MaxItemsPerCall = 50, MaxListLength = 20, MaxRankItems = 50 },
        ShutdownTimeout = TimeSpan.FromSeconds(60),
        // Off: on a loaded test machine (and with other tests' servers sharing this process's thread pool) the queue
        // delay would refuse calls of tests about something else. OverloadTests turns it on.
        Admission = new AdmissionOptions { MaxQueueDelay = TimeSpan.Zero },
    };

    public static async Task<ServerRig> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, IRanker? ranker = null, string? dataDirectory = null)
    {
        // Deterministic answers: no exploration slots, no diversity re-ordering.
        var harness = await PipelineHarness.CreateAsync(
            c => PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0, CategoryCap = 0, MmrLambda = 1 }),
            ranker: ranker, dataDirectory: dataDirectory);
        var logs = new LogCapture();
        try
        {
            var options = configure is null ? TestOptions : configure(TestOptions);
            var server = await RecSysServer.StartAsync(options, harness.Pipeline, logs.Configure);
            return new ServerRig(harness, server, logs);
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>"Now" of the planted catalog (a day after its last event), as requests send it.</summary>
    public Google.Protobuf.WellKnownTypes.Timestamp Now => Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(Harness.NowMs));

    public static Id UserId(int u) => new() { Num = PlantedCatalog.UserId(u) };

    public static Id ItemId(int i) => new() { Num = PlantedCatalog.ItemId(i) };

    public Task<Api.V1.RecommendResponse> RecommendAsync(int user, int k = 10, string key = TestKeys.Reader) =>
        Recommender.RecommendAsync(new Api.V1.RecommendRequest { User = UserId(user), K = k, Context = new RecommendContext { Now = Now } }, TestKeys.Headers(key)).ResponseAsync;

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
        await Harness.DisposeAsync();
    }
}
