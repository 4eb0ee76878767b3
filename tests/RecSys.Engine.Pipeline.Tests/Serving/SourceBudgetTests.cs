using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>A source that throws or runs out of time is dropped for that request; the request still answers.</summary>
public sealed class SourceBudgetTests
{
    private sealed class ThrowingSource : ICandidateSource
    {
        public string Name => "broken";

        public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("backend down");
    }

    /// <summary>Ignores its token and sleeps past any budget (a source stuck in a call it cannot cancel).</summary>
    private sealed class StuckSource(TimeSpan delay, string name = "stuck") : ICandidateSource
    {
        public string Name => name;

        public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
        {
            Thread.Sleep(delay);
            output.Add(0, 1f);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Honours its token: waits until the budget fires.</summary>
    private sealed class SlowSource : ICandidateSource
    {
        public string Name => "slow";

        public async ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            output.Add(0, 1f);
        }
    }

    /// <summary>Answers at once.</summary>
    private sealed class QuickSource : ICandidateSource
    {
        public string Name => "quick";

        public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
        {
            output.Add(1, 1f);
            return ValueTask.CompletedTask;
        }
    }

    private static Func<PipelineConfig, PipelineConfig> WithExtra(params string[] names) => c => PipelineHarness.WithSurface(c, "home", s => s with
    {
        Sources = [.. s.Sources, .. names.Select(n => new SourceConfig(n, 10, TimeSpan.FromMilliseconds(100)))],
    });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_throwing_source_is_dropped_and_the_request_answers(bool parallel)
    {
        await using var h = await PipelineHarness.CreateAsync(WithExtra("broken"), extraSources: [new ThrowingSource()], parallelSources: parallel);
        for (int i = 0; i < 3; i++)
        {
            var response = await h.RecommendAsync(PlantedCatalog.UserId(i));
            Assert.Equal(10, response.Items.Length);
            var dropped = Assert.Single(response.DroppedSources);
            Assert.StartsWith("broken: error: InvalidOperationException: backend down", dropped);
        }
        Assert.Equal(3, h.Pipeline.Stats.Source("broken").Failures);
        Assert.Equal(0, h.Pipeline.Stats.Source("collaborative").Failures);
        Assert.Equal(3, h.Pipeline.Stats.Source("collaborative").Runs);
    }

    [Fact]
    public async Task Run_one_after_another_each_source_has_its_whole_budget_from_when_it_starts()
    {
        // Inline (ParallelSources off), a slow source within its own budget must not eat the budget of the source after
        // it: before, every budget started when the request prepared its runs, so "quick" (250 ms) timed out behind
        // "stuck" (600 ms of a 5 s budget) without having run long at all.
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            Sources = [.. s.Sources, new SourceConfig("stuck", 10, TimeSpan.FromSeconds(5)), new SourceConfig("quick", 10, TimeSpan.FromMilliseconds(250))],
        }), extraSources: [new StuckSource(TimeSpan.FromMilliseconds(600)), new QuickSource()], parallelSources: false);
        var response = await h.RecommendAsync(PlantedCatalog.UserId(5));
        Assert.Equal(10, response.Items.Length);
        Assert.Empty(response.DroppedSources);
        Assert.Equal(0, h.Pipeline.Stats.Source("quick").Timeouts);
        Assert.Equal(0, h.Pipeline.Stats.Source("stuck").Timeouts);
    }

    [Fact]
    public async Task Run_one_after_another_the_sources_together_take_no_longer_than_the_largest_budget()
    {
        // Each of three sources takes 1.2 s of a 2 s budget. In parallel the request would wait 2 s at most; inline it
        // must too: the second source's turn comes with 0.8 s left, so it is cut to that and dropped as a timeout, and
        // the third's comes with none, so it does not run (the request's time is not the sum of the budgets).
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            Sources = [.. new[] { "stuck-a", "stuck-b", "stuck-c" }.Select(n => new SourceConfig(n, 10, TimeSpan.FromSeconds(2)))],
        }), extraSources: [.. new[] { "stuck-a", "stuck-b", "stuck-c" }.Select(n => new StuckSource(TimeSpan.FromMilliseconds(1200), n))], parallelSources: false);
        // Latency samples per source ("run" phase), from this request's flow only (the meter is one per process).
        var samples = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var mine = new AsyncLocal<bool> { Value = true };
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "recsys.pipeline.source.duration")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            if (!mine.Value)
                return;
            string? source = null, phase = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "source")
                    source = tag.Value as string;
                else if (tag.Key == "phase")
                    phase = tag.Value as string;
            }
            if (source is not null && phase == "run")
                samples.AddOrUpdate(source, 1, (_, n) => n + 1);
        });
        listener.Start();
        var response = await h.RecommendAsync(PlantedCatalog.UserId(5));
        Assert.Equal(["stuck-b: timeout", "stuck-c: timeout"], response.DroppedSources);
        Assert.Equal((0, 1, 1), (h.Pipeline.Stats.Source("stuck-a").Timeouts, h.Pipeline.Stats.Source("stuck-b").Timeouts, h.Pipeline.Stats.Source("stuck-c").Timeouts));
        // The skipped source left no latency sample (a 0 ms one would flatter it); the two that ran did.
        Assert.Equal(1, samples.GetValueOrDefault("stuck-a"));
        Assert.Equal(1, samples.GetValueOrDefault("stuck-b"));
        Assert.Equal(0, samples.GetValueOrDefault("stuck-c"));
    }

    [Fact]
    public async Task Sources_out_of_time_are_dropped_and_the_request_answers()
    {
        await using var h = await PipelineHarness.CreateAsync(WithExtra("slow", "stuck"), extraSources: [new SlowSource(), new StuckSource(TimeSpan.FromMilliseconds(600))]);
        var response = await h.RecommendAsync(PlantedCatalog.UserId(5));
        Assert.Equal(10, response.Items.Length);
        Assert.Contains("slow: timeout", response.DroppedSources);
        Assert.Contains("stuck: timeout", response.DroppedSources);
        Assert.DoesNotContain(response.Items, i => i.Source is "slow" or "stuck");
        Assert.Equal(1, h.Pipeline.Stats.Source("slow").Timeouts);
        Assert.Equal(1, h.Pipeline.Stats.Source("stuck").Timeouts);
        // The next request runs on a fresh scratch (the stuck run may still be writing into the old one) and answers too.
        var next = await h.RecommendAsync(PlantedCatalog.UserId(6));
        Assert.Equal(10, next.Items.Length);
    }

    [Fact]
    public async Task A_surface_listing_a_source_the_version_lacks_is_refused_when_the_version_is_made()
    {
        // Typed (an ArgumentException on the config), so a caller that added the source can tell its input apart.
        var e = await Assert.ThrowsAsync<Abstractions.UnknownSourceException>(async () => await PipelineHarness.CreateAsync(WithExtra("nowhere")));
        Assert.Contains("'nowhere'", e.Message);
        Assert.Equal(("nowhere", "config"), (e.SourceName, e.ParamName));
    }
}
