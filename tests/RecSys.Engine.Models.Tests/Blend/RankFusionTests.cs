using RecSys.Engine.Models.Blend;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Tests.Blend;

public sealed class RankFusionTests
{
    private sealed class Ranked(string name, float[] scores) : IRecommender
    {
        public string Name => name;
        public void Fit(TrainingData data) { }
        public void Score(int user, Span<float> s) => scores.CopyTo(s);
        public string Describe() => "";
    }

    [Fact]
    public void RankFusion_SumsWeightedReciprocalRanks_SkippingSeenItems()
    {
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < 4; i++) builder.Items.GetOrAdd($"{i}");
        builder.Add("u", "0", 1, 0); // item 0 seen
        var data = new TrainingData(builder.Build());
        // Source a ranks (unseen) 1, 2, 3; source b ranks 3, 2, 1.
        var a = new Ranked("a", [9, 8, 7, 6]);
        var b = new Ranked("b", [9, 1, 2, 3]);
        var blend = new RankFusion([new BlendSource(a, 1f), new BlendSource(b, 2f)], depth: 3, c: 1f);
        blend.Fit(data);
        var scores = new float[4];
        blend.Score(0, scores);
        // item 1: 1/(1+1) + 2/(1+3); item 2: 1/(1+2) + 2/(1+2); item 3: 1/(1+3) + 2/(1+1).
        Assert.Equal(0f, scores[0]);
        Assert.Equal(0.5f + 0.5f, scores[1], 6);
        Assert.Equal(1f, scores[2], 6);
        Assert.Equal(0.25f + 1f, scores[3], 6);
    }

    [Fact]
    public void RankFusion_ScratchPaths_AgreeWithEachOther_AndNestedBlendsKeepTheirOwn()
    {
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < 6; i++) builder.Items.GetOrAdd($"{i}");
        builder.Add("u", "0", 1, 0);
        builder.Add("v", "5", 1, 0);
        var data = new TrainingData(builder.Build());
        var a = new Ranked("a", [9, 8, 7, 6, 5, 4]);
        var b = new Ranked("b", [1, 2, 3, 4, 5, 6]);
        var inner = new RankFusion([new BlendSource(a, 1f), new BlendSource(b, 0.5f)], depth: 4, c: 2f);
        var outer = new RankFusion([new BlendSource(inner, 1f), new BlendSource(b, 1f)], depth: 3, c: 1f);
        inner.Fit(data);
        outer.Fit(data);
        var expected = new float[6];
        var actual = new float[6];
        var scratch = new BlendScratch();
        for (int user = 0; user < 2; user++)
        {
            // Hand-computed: the inner blend ranks unseen items by 1/(2 + r_a) + 0.5/(2 + r_b) over depth 4.
            outer.Score(user, expected);
            outer.Score(user, actual, scratch);
            Assert.Equal(expected, actual);
            var innerScores = new float[6];
            inner.Score(user, innerScores);
            Assert.True(innerScores.Max() > 0);
        }
        // User u (saw item 0): inner scores item 1 = 1/(2+1) + 0 (b's top 4 unseen are 5, 4, 3, 2) = 1/3.
        var check = new float[6];
        inner.Score(0, check);
        Assert.Equal(1f / 3f, check[1], 6);
        Assert.Equal(0f, check[0]);
    }
}
