using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Serving:TrendingRefreshInterval (issue 13): <c>recsys serve</c>'s path (<see cref="RecSysServer.ServeAsync"/>, real
/// Kestrel on 127.0.0.1, a real FASTER store) re-ranks the trending source's lists from the store's counters on its own,
/// so an item with a burst of events recorded through the API rises in what the trending source answers; a refresh that
/// throws is logged and counted and the next one still runs; a bad interval is refused naming the key.
/// </summary>
public sealed class TrendingRefreshServingTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>, IDisposable
{
    /// <summary>An overall deadline for what the refresh loop does on its own: generous, for a shared 2-core machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly RegistryRig _rig = new(trained);

    public void Dispose() => _rig.Dispose();

    private string Root => Path.GetDirectoryName(_rig.RegistryDirectory)!;

    /// <summary>The trending source's candidates for a user unknown to the store (cold start: the overall list), best first.</summary>
    private static async Task<List<long>> TrendingAsync(Recommender.RecommenderClient recommender)
    {
        var answer = await recommender.RecommendAsync(new RecommendRequest { User = new Id { Num = 9_999_999 }, K = 5, Debug = true }, TestKeys.Read);
        return Assert.Single(answer.Trace, t => t.Stage == "source:trending").Items.Select(i => i.Num).ToList();
    }

    [Fact]
    public async Task An_event_burst_recorded_through_the_api_rises_in_the_trending_source_after_the_servers_own_refresh()
    {
        await using (await _rig.CreateAsync("v1"))
        {
        }
        var config = ServeConfigFile.Write(Root, new Dictionary<string, object> { ["TrendingRefreshInterval"] = "00:00:00.200" });
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.Serving.TrendingRefreshInterval);
        await ServeRun.RunAsync(config, new LogCapture(), async (server, recommender, _) =>
        {
            var refresh = server.Services.GetRequiredService<TrendingRefreshService>();
            Assert.Equal(TimeSpan.FromMilliseconds(200), refresh.Interval); // the key reached the server, not the default
            var before = await TrendingAsync(recommender);
            Assert.NotEmpty(before);
            // A cold item: one the trending source does not offer yet.
            long cold = Enumerable.Range(0, trained.Planted.Items).Select(i => PlantedCatalog.ItemId(trained.Planted.Items - 1 - i)).First(id => !before.Contains(id));

            // Forty users click it now (no event time: the server's clock, which the refresh decays to as well).
            var burst = new RecordEventsRequest();
            for (int u = 0; u < 40; u++)
                burst.Events.Add(new Event { User = ServerRig.UserId(u), Item = new Id { Num = cold }, Type = EventType.Click });
            Assert.Equal(40, (await recommender.RecordEventsBatchAsync(burst, TestKeys.Write)).Accepted);

            // Nobody calls RefreshTrendingAsync here: only the server's own refresh can move the list.
            var deadline = DateTime.UtcNow + Patience;
            List<long> after;
            while (true)
            {
                after = await TrendingAsync(recommender);
                if (after.Take(3).Contains(cold) || DateTime.UtcNow > deadline)
                    break;
                await Task.Delay(100);
            }
            Assert.True(after.Take(3).Contains(cold),
                $"item {cold} is not among the trending source's first 3 within {Patience.TotalSeconds} s: [{string.Join(", ", after.Take(10))}]");
            Assert.True(refresh.Refreshes > 0);
            Assert.Equal(0, refresh.Failures);
        });
    }

    [Fact]
    public async Task A_refresh_that_throws_is_logged_and_counted_and_the_next_one_still_runs_and_a_stop_ends_the_loop()
    {
        int calls = 0;
        var logs = new LogCapture();
        var service = new TrendingRefreshService(_ =>
            {
                // The first refresh fails the way a store read can; later ones succeed.
                if (Interlocked.Increment(ref calls) == 1)
                    throw new IOException("store read failed");
                return Task.CompletedTask;
            },
            TimeSpan.FromMilliseconds(20), logs.CreateLogger("RecSys.Engine.Server.Trending"));
        await service.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + Patience;
        while (service.Refreshes < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        await service.StopAsync(CancellationToken.None);

        Assert.Equal(1, service.Failures);
        Assert.True(service.Refreshes >= 2, $"{service.Refreshes} refreshes after the failed one");
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
        var warning = Assert.Single(logs.Entries, e => e.Category == "RecSys.Engine.Server.Trending");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("trending refresh failed", warning.Message);
        Assert.Contains("store read failed", warning.Message);
    }

    [Fact]
    public async Task A_refresh_in_progress_is_cancelled_by_the_stop_without_counting_a_failure()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var service = new TrendingRefreshService(async token =>
            {
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            },
            TimeSpan.FromMilliseconds(20), new LogCapture().CreateLogger("RecSys.Engine.Server.Trending"));
        await service.StartAsync(CancellationToken.None);
        await entered.Task.WaitAsync(Patience);
        await service.StopAsync(CancellationToken.None);
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Equal((0, 0), (service.Refreshes, service.Failures));
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:00:00.0005")] // under the timer's 1 ms
    [InlineData("60.00:00:00")] // over the timer's ~49.7 days: it would stop the server after it started
    public void An_interval_the_timer_cannot_take_is_a_config_error_naming_the_key_and_zero_turns_the_refresh_off(string interval)
    {
        Directory.CreateDirectory(_rig.RegistryDirectory);
        var e = Assert.Throws<ServerConfigException>(() => ServeConfigFile.Write(Root, new Dictionary<string, object> { ["TrendingRefreshInterval"] = interval }));
        Assert.Equal("Serving:TrendingRefreshInterval", e.Key);
        Assert.Contains("Serving:TrendingRefreshInterval", e.Message);
        Assert.Equal(TimeSpan.FromDays(49), ServeConfigFile.Write(Root, new Dictionary<string, object> { ["TrendingRefreshInterval"] = "49.00:00:00" }).Serving.TrendingRefreshInterval);
        Assert.Equal(TimeSpan.Zero, ServeConfigFile.Write(Root, new Dictionary<string, object> { ["TrendingRefreshInterval"] = "00:00:00" }).Serving.TrendingRefreshInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), new ServingOptions().TrendingRefreshInterval);
    }
}
