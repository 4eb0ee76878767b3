using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

/// <summary>
/// Sources degrade before requests fail: under a held load level every source is asked for fewer candidates and
/// searches with a narrower beam, by the documented rule; below the threshold nothing changes. Counts, not time.
/// </summary>
public sealed class SourceDegradationTests
{
    /// <summary>A load level the test sets and holds.</summary>
    private sealed class HeldLoad(double load) : ILoadSignal
    {
        public double Load { get; set; } = load;
    }

    /// <summary>Records what the pipeline asked of it: its list's capacity and the search parameters it would use on an HNSW index.</summary>
    private sealed class RecordingSource(IVectorIndex index) : ICandidateSource
    {
        public string Name => "recording";

        public int Capacity { get; private set; } = -1;

        public SearchParameters? Parameters { get; private set; }

        public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
        {
            Capacity = output.Capacity;
            Parameters = context.SearchParameters(output.Config, index);
            return ValueTask.CompletedTask;
        }
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.5, 1.0)]     // at the threshold: untouched
    [InlineData(0.75, 0.625)]  // halfway to the limit: halfway down to the floor
    [InlineData(1.0, 0.25)]    // at the limit: the floor
    [InlineData(3.0, 0.25)]    // past it (the host refuses such calls; the rule still holds)
    [InlineData(0.51, 1.0)]    // just past the threshold: 0.985, rounded up to sixteenths
    [InlineData(0.6, 0.875)]   // 0.85 rounded up to 14/16
    public void The_share_follows_the_rule(double load, double share) =>
        Assert.Equal((float)share, SourceDegradation.ShareAt(load, above: 0.5, minShare: 0.25));

    [Theory]
    [InlineData(200, 0.25f, 50)]
    [InlineData(10, 0.625f, 7)]  // rounded up
    [InlineData(1, 0.25f, 1)]    // never below one
    [InlineData(64, 1f, 64)]
    public void Counts_and_beams_scale_rounded_up_and_at_least_one(int value, float share, int scaled) =>
        Assert.Equal(scaled, SourceDegradation.Scale(value, share));

    [Fact]
    public void Beams_shrink_from_the_configured_ef_or_the_index_default()
    {
        using var hnsw = new HnswIndex(8, DistanceMetric.Cosine, new HnswOptions { EfSearch = 80 });
        Assert.Equal((20, (int?)null), SourceDegradation.Beams(null, hnsw, 0.25f));
        Assert.Equal((10, (int?)null), SourceDegradation.Beams(40, hnsw, 0.25f));
        Assert.Equal(((int?)null, (int?)null), SourceDegradation.Beams(null, hnsw, 1f)); // untouched: the index default stays null
        using var ivf = new IvfPqIndex(8, DistanceMetric.L2, new IvfPqOptions { NList = 4, M = 2, DefaultNProbe = 16 });
        Assert.Equal(((int?)null, 4), SourceDegradation.Beams(null, ivf, 0.25f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SourceDegradation(new HeldLoad(0), above: 0, minShare: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SourceDegradation(new HeldLoad(0), above: 0.5, minShare: 1.5));
    }

    [Fact]
    public async Task Under_held_load_sources_are_asked_for_fewer_candidates_and_narrower_searches_and_the_response_says_so()
    {
        using var probe = new HnswIndex(8, DistanceMetric.Cosine, new HnswOptions { EfSearch = 64 });
        var recording = new RecordingSource(probe);
        await using var h = await PipelineHarness.CreateAsync(c => PipelineHarness.WithSurface(c, "home", s => s with
        {
            Sources = [.. s.Sources, new SourceConfig("recording", 40, TimeSpan.FromSeconds(10), Ef: 100)],
        }), extraSources: [recording]);
        var load = new HeldLoad(0.3);
        h.Pipeline.Degradation = new SourceDegradation(load, above: 0.5, minShare: 0.25);
        int full = h.Pipeline.Version.Config.Surface("home").Sources.Single(s => s.Name == SourceNames.Collaborative).Count;

        // Normal load: untouched.
        var normal = await h.RecommendAsync(PlantedCatalog.UserId(3), debug: true);
        Assert.False(normal.Degraded);
        Assert.Equal(1f, normal.SourceShare);
        Assert.Equal(40, recording.Capacity);
        Assert.Equal(100, recording.Parameters!.Ef);
        Assert.Null(recording.Parameters.NProbe);
        int normalCf = normal.Trace!.Stage("source:" + SourceNames.Collaborative)!.ItemIds.Length;
        Assert.True(normalCf > full / 4, $"collaborative found {normalCf} of {full} at normal load");
        Assert.Equal(0, h.Pipeline.Stats.Degraded);

        // At the limit: a quarter of every count and beam.
        load.Load = 1.0;
        var busy = await h.RecommendAsync(PlantedCatalog.UserId(3), debug: true);
        Assert.True(busy.Degraded);
        Assert.Equal(0.25f, busy.SourceShare);
        Assert.Equal(10, recording.Capacity);
        Assert.Equal(25, recording.Parameters!.Ef);
        Assert.InRange(busy.Trace!.Stage("source:" + SourceNames.Collaborative)!.ItemIds.Length, 1, (full + 3) / 4);
        Assert.Equal(10, busy.Items.Length); // fewer candidates, still a full answer
        Assert.Equal(1, h.Pipeline.Stats.Degraded);

        // Halfway: 0.625 of each.
        load.Load = 0.75;
        var half = await h.RecommendAsync(PlantedCatalog.UserId(4));
        Assert.Equal(0.625f, half.SourceShare);
        Assert.Equal(25, recording.Capacity);
        Assert.Equal(63, recording.Parameters!.Ef);

        // Load gone: back to full size at once.
        load.Load = 0.1;
        var after = await h.RecommendAsync(PlantedCatalog.UserId(5));
        Assert.False(after.Degraded);
        Assert.Equal(40, recording.Capacity);
        Assert.Equal(100, recording.Parameters!.Ef);
        Assert.Equal(2, h.Pipeline.Stats.Degraded);
    }
}
