using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Popularity;

namespace RecSys.Engine.Models.Tests.Popularity;

public sealed class PopularityTests
{
    private const long Day = 86400;

    [Fact]
    public void HalfLife_DecaysEventWeights()
    {
        // Item x: one event now and one 10 days ago; item y: three events 20 days ago. Half-life 10 days.
        var set = TestData.FromTriples(("a", "x", 1, 100 * Day), ("b", "x", 1, 90 * Day), ("a", "y", 1, 80 * Day), ("b", "y", 1, 80 * Day), ("c", "y", 1, 80 * Day));
        var model = new PopularityModel(new PopularityOptions { HalfLifeDays = 10 });
        model.Fit(new TrainingData(set));
        Assert.Equal(1.5, model.OverallWeight(0), 12);
        Assert.Equal(0.75, model.OverallWeight(1), 12);
        var scores = new float[2];
        model.Score(0, scores);
        Assert.True(scores[0] > scores[1]);
        var plain = new PopularityModel();
        plain.Fit(new TrainingData(set));
        plain.Score(0, scores);
        Assert.True(scores[1] > scores[0], "without decay y (3 events) beats x (2)");
    }

    [Fact]
    public void Segments_BackOffToOverall()
    {
        var builder = new InteractionSetBuilder { Demographics = new UserDemographics() };
        foreach (string item in new[] { "x", "y" }) builder.Items.GetOrAdd(item);
        // Young women like y, everyone else x.
        for (int u = 0; u < 10; u++)
        {
            bool young = u < 3;
            int ord = builder.Users.GetOrAdd($"u{u}");
            builder.Demographics.Set(ord, young ? 20 : 40, young ? "F" : "M", "other");
            builder.Add(ord, young ? 1 : 0, 1, 0);
        }
        var data = new TrainingData(builder.Build());
        var model = new PopularityModel(new PopularityOptions { BySegment = true, SegmentPrior = 1 });
        model.Fit(data);
        var scores = new float[2];
        model.Score(0, scores);
        Assert.True(scores[1] > scores[0], "segment 18-24|F prefers y");
        // p(y | seg) = (3 + 1 * 0.3) / (3 + 1) = 0.825
        Assert.Equal(0.825f, scores[1], 5);
        model.Score(5, scores);
        Assert.True(scores[0] > scores[1]);
        Assert.Equal("18-24|F|other", UserSegments.Of(data.Demographics, 0));
        model.ScoreSegment("unknown", scores);
        Assert.Equal(0.7f, scores[0], 5); // unknown segment: overall share
    }
}
