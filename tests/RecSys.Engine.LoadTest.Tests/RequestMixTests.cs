using RecSys.Engine.LoadGen;

namespace RecSys.Engine.LoadTest.Tests;

public sealed class RequestMixTests
{
    [Fact]
    public void Draws_follow_the_weights()
    {
        var mix = RequestMix.Parse("Recommend=2,SimilarItems=1,UpsertItems=1", "--mix");
        Assert.Equal(RequestKind.Recommend, mix.Pick(0.0));
        Assert.Equal(RequestKind.Recommend, mix.Pick(0.49));
        Assert.Equal(RequestKind.SimilarItems, mix.Pick(0.5));
        Assert.Equal(RequestKind.SimilarItems, mix.Pick(0.74));
        Assert.Equal(RequestKind.UpsertItems, mix.Pick(0.75));
        Assert.Equal(RequestKind.UpsertItems, mix.Pick(0.999999));
        Assert.False(mix.Sends(RequestKind.SearchVectors));

        var random = new Random(1);
        var counts = new int[5];
        for (int i = 0; i < 40_000; i++)
            counts[(int)mix.Pick(random.NextDouble())]++;
        Assert.InRange(counts[(int)RequestKind.Recommend], 19_000, 21_000);
        Assert.InRange(counts[(int)RequestKind.SimilarItems], 9_500, 10_500);
        Assert.Equal(0, counts[(int)RequestKind.SearchVectors] + counts[(int)RequestKind.RecordEvents]);
    }

    [Fact]
    public void A_kind_without_weight_counts_once_and_zero_weights_are_never_drawn()
    {
        var mix = RequestMix.Parse("SearchVectors,recordevents=0,Recommend", "--mix");
        Assert.Equal("Recommend=1,SearchVectors=1", mix.ToString());
        Assert.Equal(RequestKind.SearchVectors, mix.Pick(1.0)); // the top edge lands on the last weighted kind
    }

    [Fact]
    public void Id_ranges_wrap_any_draw_inside()
    {
        var range = IdRange.Parse("1000..1399", "--items");
        Assert.Equal(400, range.Count);
        Assert.Equal(1000, range.At(0));
        Assert.Equal(1399, range.At(399));
        Assert.Equal(1000, range.At(400));
        Assert.Equal("1000..1399", range.ToString());
    }
}
