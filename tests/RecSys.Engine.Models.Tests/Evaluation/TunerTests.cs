using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Neighbors;

namespace RecSys.Engine.Models.Tests.Evaluation;

public sealed class TunerTests
{
    [Fact]
    public void Tune_PicksFromTheGrid_FromTrainingDataOnly_Deterministically()
    {
        var set = TestData.Planted(users: 150, items: 120, rank: 4, perUser: 20, seed: 9);
        var train = Splitter.RandomPerUser(set, 0.75, 42).Train;
        var log = new List<string>();
        var start = new ModelSettings { EaseLambda = 7f, KnnNeighbors = 3 };
        var tuned = Tuner.Tune(train, t => Splitter.RandomPerUser(t, 0.75, 7), [ModelKind.Ease, ModelKind.ItemKnn], start, k: 10, log.Add);
        Assert.Contains(tuned.EaseLambda, new[] { 100f, 200f, 300f, 500f, 800f, 1200f });
        Assert.Contains(tuned.EaseDropout, new[] { 0f, 0.25f, 0.5f, 0.67f });
        Assert.Contains(tuned.KnnNeighbors, new[] { 20, 50, 100, 200, 400 });
        Assert.Equal(6 + 3 + 15 + 2, log.Count); // EASE: lambda at the start's dropout, then the 3 other dropouts // every trial and both choices are reported
        Assert.Contains(log, l => l.StartsWith("chosen ease", StringComparison.Ordinal));
        // ALS was not asked for: its settings are untouched.
        Assert.Equal(start.Als, tuned.Als);
        var again = Tuner.Tune(train, t => Splitter.RandomPerUser(t, 0.75, 7), [ModelKind.Ease, ModelKind.ItemKnn], start, k: 10);
        Assert.Equal((tuned.EaseLambda, tuned.EaseDropout, tuned.KnnNeighbors, tuned.KnnSimilarity), (again.EaseLambda, again.EaseDropout, again.KnnNeighbors, again.KnnSimilarity));
    }

    [Fact]
    public void Tune_ValidatesOnTheSplitItIsGiven()
    {
        var set = TestData.Planted(users: 60, items: 50, rank: 3, perUser: 12, seed: 5);
        var train = Splitter.TemporalLastN(set, 2).Train;
        var seen = new List<InteractionSet>();
        Tuner.Tune(train, t =>
        {
            seen.Add(t);
            return Splitter.TemporalLastN(t, 2);
        }, [ModelKind.Ease], new ModelSettings(), k: 10);
        Assert.Same(train, Assert.Single(seen));
    }

    /// <summary>With several validation splits every setting scores the mean of its NDCG on each of them.</summary>
    [Fact]
    public void Tune_WithSeveralSplits_ScoresEachSettingByTheMeanOverThem()
    {
        var set = TestData.Planted(users: 150, items: 120, rank: 4, perUser: 20, seed: 9);
        var train = Splitter.RandomPerUser(set, 0.75, 42).Train;
        Func<InteractionSet, DataSplit> a = t => Splitter.RandomPerUser(t, 0.75, 7), b = t => Splitter.RandomPerUser(t, 0.75, 8);
        var start = new ModelSettings();
        Dictionary<string, double> Scores(IReadOnlyList<Func<InteractionSet, DataSplit>> splits, ModelKind[] models)
        {
            var log = new List<string>();
            Tuner.Tune(train, splits, models, start, k: 10, log.Add);
            return log.Where(l => l.StartsWith("tune ", StringComparison.Ordinal)).ToDictionary(
                l => l[..l.LastIndexOf(": validation", StringComparison.Ordinal)],
                l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
        var onA = Scores([a], [ModelKind.ItemKnn]);
        var onB = Scores([b], [ModelKind.ItemKnn]);
        var both = Scores([a, b], [ModelKind.ItemKnn]);
        Assert.Equal(15, both.Count);
        // The splits differ (else the mean says nothing), and each logged score is the mean to the log's 4 decimals.
        Assert.Contains(both.Keys, key => Math.Abs(onA[key] - onB[key]) > 0.001);
        foreach (var (key, mean) in both)
            Assert.True(Math.Abs(mean - (onA[key] + onB[key]) / 2) <= 1.01e-4, $"{key}: {mean} against {onA[key]} and {onB[key]}");
        Assert.Throws<ArgumentException>(() => Tuner.Tune(train, Array.Empty<Func<InteractionSet, DataSplit>>(), [ModelKind.ItemKnn], start, k: 10));

        // The blend: its sources are trained on each split's own fit part, every weight setting scored on each.
        // (No blend weights to start from, so no source is tuned first and all three runs blend the same sources.)
        start = new ModelSettings { BlendWeights = new Dictionary<string, float>(), Als = new ModelSettings().Als with { Factors = 8, Iterations = 3 } };
        var blendA = Scores([a], [ModelKind.Blend]);
        var blendB = Scores([b], [ModelKind.Blend]);
        var blendBoth = Scores([a, b], [ModelKind.Blend]);
        Assert.True(blendBoth.Count >= 2 * 4 * 3 * 3, $"{blendBoth.Count} blend settings logged");
        Assert.Contains(blendBoth.Keys, key => Math.Abs(blendA[key] - blendB[key]) > 0.001);
        foreach (var (key, mean) in blendBoth)
            Assert.True(Math.Abs(mean - (blendA[key] + blendB[key]) / 2) <= 1.01e-4, $"{key}: {mean} against {blendA[key]} and {blendB[key]}");
    }

    [Fact]
    public void SegmentKey_MatchesTheDemographicSegment()
    {
        var d = new UserDemographics();
        d.Set(0, 19, "F", "student");
        Assert.Equal(RecSys.Engine.Models.Popularity.UserSegments.Of(d, 0), RecSys.Engine.Models.Popularity.UserSegments.Key(19, "F", "student"));
        Assert.Equal("18-24|F|student", RecSys.Engine.Models.Popularity.UserSegments.Key(19, "F", "student"));
        Assert.Equal(ItemSimilarityKind.Cosine, new ModelSettings().KnnSimilarity);
    }
}
