using RecSys.Engine.LoadGen;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.LoadTest.Tests.Support;

/// <summary>
/// The real server (Kestrel on 127.0.0.1, a free port) over the pipeline harness (planted catalog, trained models, a
/// real FASTER store), and load options aimed at it: the planted ids, a key with Read and Write.
/// </summary>
public sealed class LoadRig : IAsyncDisposable
{
    public const string WriterKey = "load-writer-key-0123456789";

    private LoadRig(PipelineHarness harness, RunningServer server)
    {
        Harness = harness;
        Server = server;
    }

    public PipelineHarness Harness { get; }

    public RunningServer Server { get; }

    /// <summary>A run at 50 req/s for 2 s after a short warm-up, Recommend only, against this server.</summary>
    public LoadOptions Options => new()
    {
        Target = new Uri($"http://127.0.0.1:{Server.Port}"),
        RateRps = 50,
        Duration = TimeSpan.FromSeconds(2),
        WarmUp = TimeSpan.FromSeconds(0.5),
        Concurrency = 16,
        Timeout = TimeSpan.FromSeconds(30),
        ApiKey = WriterKey,
        Users = new IdRange(PlantedCatalog.UserId(0), PlantedCatalog.UserId(Harness.Planted.Users - 1)),
        Items = new IdRange(PlantedCatalog.ItemId(0), PlantedCatalog.ItemId(Harness.Planted.Items - 1)),
        // No latency threshold a loaded test machine could miss: these tests check counts, not speed.
        SloMs = [600_000],
    };

    public static async Task<LoadRig> StartAsync(int maxConcurrentCalls = 64, IRanker? ranker = null)
    {
        var harness = await PipelineHarness.CreateAsync(ranker: ranker);
        try
        {
            var options = new ServerOptions
            {
                Port = 0,
                Metrics = new MetricsOptions { Enabled = false },
                Auth = new AuthOptions { Keys = [new ApiKeyOptions { Name = "load", Key = WriterKey, Roles = ["Read", "Write"] }] },
                // The queue-delay signal off: a loaded test machine's queue delay must not refuse calls these tests count.
                Admission = new AdmissionOptions { MaxConcurrentCalls = maxConcurrentCalls, MaxQueueDelay = TimeSpan.Zero },
            };
            return new LoadRig(harness, await RecSysServer.StartAsync(options, harness.Pipeline));
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Harness.DisposeAsync();
    }
}
