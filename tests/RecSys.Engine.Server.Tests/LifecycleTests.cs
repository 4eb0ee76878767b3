using Grpc.Core;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Api.V1;
using RecSys.Engine.Server.Hosting;
using RecSys.Engine.Server.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// Calls in flight: the concurrency limit, deadlines flowing down to the ranker, and a graceful stop that finishes
/// them, checkpoints, and loses nothing acknowledged across a restart. The <see cref="GateRanker"/> holds calls inside
/// the pipeline, so "in flight" is a fact the test waits for, not a sleep.
/// </summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task Past_the_concurrency_limit_a_call_is_refused_at_once_with_resource_exhausted()
    {
        var gate = new GateRanker();
        await using var rig = await ServerRig.StartAsync(o => o with { Admission = o.Admission with { MaxConcurrentCalls = 2 } }, gate);
        gate.Armed = true;
        var held = new[] { rig.RecommendAsync(1), rig.RecommendAsync(2) };
        await gate.WaitForEnteredAsync(2);

        var e = await RpcAssert.FailsAsync(StatusCode.ResourceExhausted, null, () => rig.RecommendAsync(3));
        Assert.Contains("MaxConcurrentCalls", e.Status.Detail);
        // Health is never limited.
        var health = new Grpc.Health.V1.Health.HealthClient(rig.Channel);
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest())).Status);

        gate.Release();
        foreach (var call in held)
            Assert.Equal(10, (await call).Items.Count);
        Assert.Equal(10, (await rig.RecommendAsync(3)).Items.Count);
        var stats = await rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.Headers(TestKeys.Admin));
        Assert.Equal(1, stats.Rejected);
    }

    [Fact]
    public async Task Above_the_degrade_threshold_sources_shrink_and_the_answer_says_so_then_recover_when_load_drops()
    {
        var gate = new GateRanker();
        await using var rig = await ServerRig.StartAsync(o => o with
        {
            Admission = o.Admission with { MaxConcurrentCalls = 4, DegradeAbove = 0.5, MinSourceShare = 0.25 },
        }, gate);
        Assert.False((await rig.RecommendAsync(1)).Degraded); // 1 of 4 in flight: full size

        gate.Armed = true;
        var held = new[] { rig.RecommendAsync(1), rig.RecommendAsync(2) };
        await gate.WaitForEnteredAsync(2);
        gate.Armed = false; // the next call passes the gate while the two stay held

        // 3 of 4 in flight: load 0.75, halfway from the threshold to the limit, so 0.625 of each count and beam.
        var busy = await rig.RecommendAsync(3);
        Assert.True(busy.Degraded);
        Assert.Equal(0.625f, busy.SourceShare);
        Assert.Equal(10, busy.Items.Count);

        gate.Release();
        foreach (var call in held)
            Assert.False((await call).Degraded); // admitted before the load rose
        var calm = await rig.RecommendAsync(4);
        Assert.False(calm.Degraded);
        Assert.Equal(1f, calm.SourceShare);
        var stats = await rig.Admin.GetStatsAsync(new GetStatsRequest(), TestKeys.Headers(TestKeys.Admin));
        Assert.Equal(1, stats.Degraded);
        Assert.Equal(0, stats.Rejected);
    }

    [Fact]
    public async Task The_warm_up_runs_every_surface_before_the_port_opens_and_records_nothing()
    {
        await using var rig = await ServerRig.StartAsync();
        // Warm-up requests ran (they count as requests) before any client call ...
        Assert.True(rig.Harness.Pipeline.Stats.Requests >= 2 * rig.Harness.Pipeline.Version.Config.Surfaces.Count);
        Assert.Contains(rig.Harness.Pipeline.Version.Config.Surfaces, s => s.RecordImpressions);
        // ... and left no trace: no impressions for their anonymous user (the email surface records them for real users).
        Assert.Empty(await rig.Harness.Store.GetRecentHistoryAsync(Services.RecommenderService.AnonymousUser, 10));
        Assert.Equal(10, (await rig.RecommendAsync(5)).Items.Count);
    }

    [Fact]
    public async Task A_deadline_that_passes_is_deadline_exceeded_and_cancels_the_ranker()
    {
        var gate = new GateRanker();
        await using var rig = await ServerRig.StartAsync(ranker: gate);
        gate.Armed = true;
        var request = new Api.V1.RecommendRequest { User = ServerRig.UserId(4), K = 5, Context = new RecommendContext { Now = rig.Now } };
        await RpcAssert.FailsAsync(StatusCode.DeadlineExceeded, null,
            () => rig.Recommender.RecommendAsync(request, TestKeys.Read, deadline: DateTime.UtcNow.AddMilliseconds(300)));
        // The server's token fired inside the ranker (the call did not just time out on the client).
        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(60));
        gate.Release();
        Assert.Equal(5, (await rig.Recommender.RecommendAsync(request, TestKeys.Read)).Items.Count);
    }

    [Fact]
    public async Task A_graceful_stop_finishes_calls_in_flight_and_a_restart_loses_nothing_acknowledged()
    {
        using var dir = new TempDirectory("recsys-server-restart");
        const int user = 9;
        const long newUser = 660_001;
        var gate = new GateRanker();
        Id clicked;
        var rig = await ServerRig.StartAsync(ranker: gate, dataDirectory: dir.Path);
        try
        {
            var before = await rig.RecommendAsync(user);
            clicked = before.Items[0].Item;
            await rig.Recommender.RecordEventsBatchAsync(new RecordEventsRequest
            {
                Events = { new Event { User = ServerRig.UserId(user), Item = clicked, Type = EventType.Purchase, Time = rig.Now } },
            }, TestKeys.Write);
            await rig.Catalog.UpsertUsersAsync(new UpsertUsersRequest
            {
                Users = { new User { Id = new Id { Num = newUser }, Age = 41, Country = "NZ", OnboardingCategories = { "c2" } } },
            }, TestKeys.Write);

            gate.Armed = true;
            var inFlight = rig.RecommendAsync(user, k: 7);
            await gate.WaitForEnteredAsync(1);
            var checkpointBefore = rig.Harness.Store.Health.LastSuccessfulCheckpoint;
            var stopping = rig.Server.StopAsync();
            gate.Release();
            var answered = await inFlight;
            Assert.Equal(7, answered.Items.Count);
            await stopping;
            Assert.True(rig.Harness.Store.Health.LastSuccessfulCheckpoint > checkpointBefore, "the stop took a checkpoint");
            var refused = await Assert.ThrowsAsync<RpcException>(() => rig.RecommendAsync(user));
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        }
        finally
        {
            await rig.DisposeAsync();
        }

        await using var again = await ServerRig.StartAsync(dataDirectory: dir.Path);
        var history = await again.Harness.Store.GetRecentHistoryAsync(PlantedCatalog.UserId(user), 1);
        Assert.Equal(clicked.Num, Assert.Single(history).ItemId);
        var profile = await again.Harness.Store.GetUserProfileAsync(newUser);
        Assert.NotNull(profile);
        Assert.Equal("NZ", profile.Country);
        var after = await again.RecommendAsync(user);
        Assert.DoesNotContain(clicked, after.Items.Select(i => i.Item));
    }
}
