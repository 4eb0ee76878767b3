using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Models.Blend;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Tests.Other;

public sealed class ContentAndBlendTests
{
    private static TrainingData Movies()
    {
        var builder = new InteractionSetBuilder { Catalog = new ItemCatalog() };
        string[][] genres = [["Action", "Sci-Fi"], ["Action", "Sci-Fi"], ["Romance"], ["Romance", "Comedy"], []];
        string[] titles = ["Star Wars (1977)", "Star Trek (1979)", "Sleepless in Seattle (1993)", "Notting Hill (1999)", ""];
        for (int i = 0; i < genres.Length; i++)
            builder.Catalog.Set(builder.Items.GetOrAdd($"m{i}"), titles[i], genres[i]);
        builder.Add("fan", "m0", 1, 0);
        builder.Add("romantic", "m2", 1, 0);
        return new TrainingData(builder.Build());
    }

    [Fact]
    public void ItemVectors_AreUnitLength_AndSimilarItemsAreClose()
    {
        var data = Movies();
        var content = new ContentEncoder(new ContentOptions { HashBuckets = 64 });
        content.Fit(data);
        for (int i = 0; i < 4; i++)
            Assert.Equal(1f, DotProduct.Compute(content.ItemVector(i), content.ItemVector(i)), 5);
        Assert.Equal(0f, DotProduct.Compute(content.ItemVector(4), content.ItemVector(4))); // no genres, no title: no features
        float sameGenre = DotProduct.Compute(content.ItemVector(0), content.ItemVector(1));
        float otherGenre = DotProduct.Compute(content.ItemVector(0), content.ItemVector(2));
        Assert.True(sameGenre > 0.3f && otherGenre == 0f, $"{sameGenre} {otherGenre}");
        var scores = new float[5];
        content.Score(0, scores); // the fan of m0 gets m1 next
        Assert.True(scores[1] > scores[2] && scores[1] > scores[3]);
        content.Score(1, scores); // the romantic: m3 over m0, m1
        Assert.True(scores[3] > scores[0] && scores[3] > scores[1]);
    }

    [Fact]
    public void Idf_WeighsRareCategoriesMore()
    {
        // Comedy appears once, Romance twice: in m3 the Comedy component is larger.
        var data = Movies();
        var content = new ContentEncoder(new ContentOptions { HashBuckets = 8, UseTitle = false });
        content.Fit(data);
        // Categories sorted: Action, Comedy, Romance, Sci-Fi.
        ReadOnlySpan<float> m3 = content.ItemVector(3);
        Assert.True(m3[1] > m3[2]);
        double idfComedy = Math.Log(6.0 / 2) + 1, idfRomance = Math.Log(6.0 / 3) + 1;
        Assert.Equal(idfComedy / idfRomance, m3[1] / m3[2], 4);
    }

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
