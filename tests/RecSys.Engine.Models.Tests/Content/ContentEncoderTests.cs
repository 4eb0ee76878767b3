using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Tests.Content;

public sealed class ContentEncoderTests
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
        // Measured 0.494 (the same with the SIMD paths off).
        Assert.True(sameGenre > 0.48f && otherGenre == 0f, $"{sameGenre} {otherGenre} (measured 0.494, 0)");
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
}
