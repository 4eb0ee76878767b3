using Grpc.Core;
using Grpc.Health.V1;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// The queue-delay signal of admission control (Server:Admission:MaxQueueDelay) over real Kestrel: while the thread
/// pool's queue is long, Recommender calls are refused with RESOURCE_EXHAUSTED naming the reason, health checks and
/// Admin.GetStats still answer, and once the queue drains calls are admitted again. The flood is a
/// <see cref="ThreadPoolHog"/>; nothing here asserts a time, only status codes and counters, with generous bounded
/// waits for "eventually". Not run in parallel with other tests: the hog floods the whole process's pool.
/// </summary>
[Collection(nameof(OverloadTests))]
[CollectionDefinition(nameof(OverloadTests), DisableParallelization = true)]
public sealed class OverloadTests
{
    private static readonly TimeSpan Eventually = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task While_work_queues_calls_are_refused_with_the_reason_health_and_stats_answer_and_after_it_calls_are_admitted()
    {
        await using var rig = await ServerRig.StartAsync(o => o with { Admission = o.Admission with { MaxQueueDelay = TimeSpan.FromMilliseconds(20) } });
        // The first call of a cold process: start-up's own work in the pool (JIT, Kestrel) does not refuse it.
        Assert.Equal(10, (await rig.RecommendAsync(1)).Items.Count);

        // Far more blocking items than the pool has threads: each hop of a call waits behind ~2 s of work / threads.
        var hog = new ThreadPoolHog(items: 1000, holdMs: 2);
        RpcException refused;
        try
        {
            refused = await FirstRefusalAsync(rig);
            Assert.Contains("Server:Admission:MaxQueueDelay", refused.Status.Detail);
            Assert.Contains("queue", refused.Status.Detail);

            // An operator can still look: health and GetStats are never refused.
            var health = new Grpc.Health.V1.Health.HealthClient(rig.Channel);
            var check = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + Eventually);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, check.Status);
            var stats = await rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.Headers(TestKeys.Admin), DateTime.UtcNow + Eventually);
            Assert.True(stats.RejectedQueueDelay >= 1, $"rejected for queue delay: {stats.RejectedQueueDelay}");
            Assert.True(stats.Rejected >= stats.RejectedQueueDelay);
        }
        finally
        {
            hog.Stop();
        }

        // The load drops: calls are admitted again.
        var answer = await FirstAnswerAsync(rig);
        Assert.Equal(10, answer.Items.Count);
        var after = await rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.Headers(TestKeys.Admin));
        Assert.Equal(0, after.Rejected - after.RejectedQueueDelay); // the concurrency limit (64) never tripped

        // Each run of refusals was logged when it started, with what the time before it was spent on, and when it ended
        // (a quiet second after its last refusing look), with how many it refused: together, every refusal.
        static bool Started((Microsoft.Extensions.Logging.LogLevel Level, string Category, string Message) e) =>
            e.Category == "RecSys.Engine.Server.Admission" && e.Message.StartsWith("refusing recsys.v1 calls", StringComparison.Ordinal);
        static bool Ended((Microsoft.Extensions.Logging.LogLevel Level, string Category, string Message) e) =>
            e.Category == "RecSys.Engine.Server.Admission" && e.Message.StartsWith("stopped refusing recsys.v1 calls", StringComparison.Ordinal);
        var until = DateTime.UtcNow + Eventually;
        while (rig.Logs.Entries.Count(Started) != rig.Logs.Entries.Count(Ended) && DateTime.UtcNow < until)
            await Task.Delay(50);
        var entries = rig.Logs.Entries.ToList();
        var starts = entries.Where(Started).ToList();
        var ends = entries.Where(Ended).ToList();
        Assert.NotEmpty(starts);
        Assert.Equal(starts.Count, ends.Count);
        Assert.All(starts, e =>
        {
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, e.Level);
            Assert.Contains("Server:Admission:MaxQueueDelay", e.Message);
            Assert.Matches(@"this process used \d+\.\d\d of \d+ cores", e.Message);
            Assert.Matches(@"pool threads \d+ -> \d+", e.Message);
        });
        long refusedInLogs = ends.Sum(e => long.Parse(System.Text.RegularExpressions.Regex.Match(e.Message, @"calls: (\d+) refused over").Groups[1].Value));
        var final = await rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.Headers(TestKeys.Admin));
        Assert.Equal(final.RejectedQueueDelay, refusedInLogs);
    }

    [Fact]
    public async Task With_the_signal_off_a_queue_never_refuses_a_call()
    {
        await using var rig = await ServerRig.StartAsync(); // TestOptions: MaxQueueDelay 0
        var hog = new ThreadPoolHog(items: 1000, holdMs: 2);
        try
        {
            // Slow (every hop of the call waits in the flooded queue) but admitted.
            var r = await rig.Recommender.RecommendAsync(new RecommendRequest { User = ServerRig.UserId(1), K = 10, Context = new RecommendContext { Now = rig.Now } },
                TestKeys.Headers(TestKeys.Reader), DateTime.UtcNow + Eventually);
            Assert.Equal(10, r.Items.Count);
        }
        finally
        {
            hog.Stop();
        }
        var stats = await rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.Headers(TestKeys.Admin));
        Assert.Equal(0, stats.Rejected);
        Assert.Equal(0, stats.QueueDelayMs);
    }

    /// <summary>Recommend until one is refused; any other failure, or none within <see cref="Eventually"/>, fails the test.</summary>
    private static async Task<RpcException> FirstRefusalAsync(ServerRig rig)
    {
        var until = DateTime.UtcNow + Eventually;
        for (int user = 0; DateTime.UtcNow < until; user = (user + 1) % 10)
        {
            try
            {
                await rig.Recommender.RecommendAsync(new RecommendRequest { User = ServerRig.UserId(user), K = 10, Context = new RecommendContext { Now = rig.Now } },
                    TestKeys.Headers(TestKeys.Reader), until).ResponseAsync;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
            {
                return e;
            }
        }
        throw new Xunit.Sdk.XunitException($"no call was refused within {Eventually} of a flooded thread pool");
    }

    /// <summary>Recommend until one is answered (refusals while the queue drains are expected); bounded by <see cref="Eventually"/>.</summary>
    private static async Task<RecommendResponse> FirstAnswerAsync(ServerRig rig)
    {
        var until = DateTime.UtcNow + Eventually;
        while (true)
        {
            try
            {
                return await rig.Recommender.RecommendAsync(new RecommendRequest { User = ServerRig.UserId(1), K = 10, Context = new RecommendContext { Now = rig.Now } },
                    TestKeys.Headers(TestKeys.Reader), until).ResponseAsync;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && DateTime.UtcNow < until)
            {
                await Task.Delay(50);
            }
        }
    }
}
