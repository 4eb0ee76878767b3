using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>
/// recsys.pipeline.source.duration: every source of a request records how long it waited to begin and how long it ran,
/// tagged with its name. A source that sleeps 30 ms must show a run of at least 30 ms (a lower bound that a sleep
/// guarantees, not a timing target), and the surface's own sources are recorded beside it.
/// </summary>
public sealed class SourceMetricsTests
{
    private const string SleeperName = "metered-sleeper";
    private static readonly TimeSpan Sleep = TimeSpan.FromMilliseconds(30);

    private sealed class SleepingSource : ICandidateSource
    {
        public string Name => SleeperName;

        public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
        {
            Thread.Sleep(Sleep);
            output.Add(0, 1f);
            return ValueTask.CompletedTask;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Each_source_records_its_wait_and_its_run_by_name(bool parallel)
    {
        var seen = new ConcurrentQueue<(string Source, string Phase, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineMetrics.MeterName && instrument.Name == "recsys.pipeline.source.duration")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? source = null, phase = null;
            foreach (var t in tags)
            {
                if (t.Key == "source")
                    source = t.Value as string;
                else if (t.Key == "phase")
                    phase = t.Value as string;
            }
            seen.Enqueue((source ?? "?", phase ?? "?", value));
        });
        listener.Start();

        PipelineConfig? used = null;
        await using var h = await PipelineHarness.CreateAsync(
            c => used = PipelineHarness.WithSurface(c, "home", s => s with { Sources = [.. s.Sources, new SourceConfig(SleeperName, 10, TimeSpan.FromSeconds(10))] }),
            extraSources: [new SleepingSource()], parallelSources: parallel);
        var response = await h.RecommendAsync(PlantedCatalog.UserId(1));
        Assert.Empty(response.DroppedSources);
        listener.Dispose();

        var mine = seen.Where(m => m.Source == SleeperName).ToList();
        Assert.Single(mine, m => m.Phase == "wait");
        var run = Assert.Single(mine, m => m.Phase == "run");
        Assert.True(run.Seconds >= Sleep.TotalSeconds * 0.999, $"the sleeper ran {run.Seconds * 1000:F1} ms, under its {Sleep.TotalMilliseconds} ms sleep");
        Assert.All(mine, m => Assert.True(m.Seconds >= 0));
        // The home surface's own sources are there too, each with both phases.
        var home = used!.Surface("home").Sources.Select(s => s.Name).Where(n => n != SleeperName).ToList();
        Assert.NotEmpty(home);
        foreach (string name in home)
        {
            Assert.Contains(seen, m => m.Source == name && m.Phase == "run");
            Assert.Contains(seen, m => m.Source == name && m.Phase == "wait");
        }
    }
}
