using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Tests.Data;

public sealed class PlantedTasteCatalogTests
{
    [Fact]
    public void EveryUserTakesFavouritesFromTheirCategory_AndTheSameSeedGivesTheSameEvents()
    {
        var a = new PlantedTasteCatalog(items: 400, users: 60, perUser: 12, seed: 5, startSeconds: 1_700_000_000);
        var b = new PlantedTasteCatalog(items: 400, users: 60, perUser: 12, seed: 5, startSeconds: 1_700_000_000);
        Assert.Equal(a.Data.Events.ItemOrdinals, b.Data.Events.ItemOrdinals);
        Assert.Equal(1_700_000_000, a.Data.Events.Timestamps.Min());
        AssertEveryUserHasFavourites(a, 12);
        Assert.True(a.PublishedAtMs(399) > a.PublishedAtMs(0));
        Assert.True(a.PublishedAtMs(399) < 1_700_000_000_000);
    }

    [Fact]
    public void ACatalogTooSmallForAllFavourites_GivesWhatTheCategoryHas_InsteadOfLoopingForever()
    {
        // 2 items per category: at most 2 favourites each, never 12.
        var small = new PlantedTasteCatalog(items: 16, users: 20, perUser: 12, seed: 1);
        Assert.InRange(small.Data.Events.Count, 20 * 2, 20 * (2 + 5 + 2));
    }

    [Fact]
    public void APopularitySkew_GivesEachCategoryItsOwnHits_AndStillEveryUserTheirFavourites()
    {
        const int items = 4000, users = 2000;
        var uniform = new PlantedTasteCatalog(items, users, perUser: 12, seed: 3);
        var skewed = new PlantedTasteCatalog(items, users, perUser: 12, seed: 3, popularitySkew: 1.0);
        Assert.Equal(uniform.Data.Events.Count, skewed.Data.Events.Count);

        // The share of favourite picks that land on each category's ten most taken items (blockbusters and segment
        // items aside): 0.040 under uniform draws of 3,000 picks over 500 items, 0.289 under Zipf(1) at this seed.
        Assert.InRange(TopTenShare(uniform), 0, 0.08);
        Assert.InRange(TopTenShare(skewed), 0.25, 0.6);
        // The hits are spread over the category (a seeded shuffle), not its oldest items: at most a few of the skewed
        // top tens sit among the category's first 50 items (10 x 50 / 500 = 1 expected per category).
        Assert.InRange(TopTen(skewed).Count(i => i / PlantedTasteCatalog.Categories < 50), 0, 3 * PlantedTasteCatalog.Categories);

        AssertEveryUserHasFavourites(skewed, 12);
    }

    [Fact]
    public void UnderASkew_TheSegmentStillNeverTakesTheBlockbusters()
    {
        // 16 items per category: a segment user takes 12 of their category's 15 non-segment items, so without the skip
        // the blockbuster of categories 1 and 3 would be among them (20 such events at this seed).
        var small = new PlantedTasteCatalog(items: 128, users: 240, perUser: 12, seed: 3, popularitySkew: 1.0);
        for (int u = 0; u < small.Users; u++)
        {
            if (PlantedTasteCatalog.IsSegmentUser(u))
                Assert.DoesNotContain(ItemsOf(small, u), PlantedTasteCatalog.Blockbusters.Contains);
        }
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(3.5)]
    public void ABadPopularitySkew_IsRefused(double skew)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PlantedTasteCatalog(popularitySkew: skew));
        Assert.Equal("popularitySkew", e.ParamName);
    }

    [Theory]
    [InlineData(16, 20)]
    [InlineData(128, 40)]
    public void ASmallSkewedCatalog_StillEnds(int items, int users)
    {
        // Every favourite of a category taken, including its least likely items.
        var small = new PlantedTasteCatalog(items, users, perUser: 12, seed: 2, popularitySkew: PlantedTasteCatalog.MaxPopularitySkew);
        Assert.InRange(small.Data.Events.Count, users * Math.Min(12, items / 8 - 2), users * (12 + 5 + 2));
    }

    private static void AssertEveryUserHasFavourites(PlantedTasteCatalog catalog, int atLeast)
    {
        for (int u = 0; u < catalog.Users; u++)
        {
            int favourites = ItemsOf(catalog, u).Count(i => PlantedTasteCatalog.CategoryOf(i) == PlantedTasteCatalog.Favourite(u));
            Assert.True(favourites >= atLeast, $"user {u}: {favourites} items of the favourite category");
        }
    }

    private static int[] ItemsOf(PlantedTasteCatalog catalog, int u)
    {
        Assert.True(catalog.Data.Events.Users.TryGetOrdinal(PlantedTasteCatalog.UserId(u).ToString(System.Globalization.CultureInfo.InvariantCulture), out int row));
        return [.. catalog.Data.Matrix.Columns(row).ToArray().Select(o => PlantedTasteCatalog.ItemIndex(long.Parse(catalog.Data.Events.Items[o], System.Globalization.CultureInfo.InvariantCulture)))];
    }

    /// <summary>Picks per item index, blockbusters and segment items left out.</summary>
    private static Dictionary<int, int> FavouritePicks(PlantedTasteCatalog catalog)
    {
        var picks = new Dictionary<int, int>();
        for (int u = 0; u < catalog.Users; u++)
        {
            foreach (int i in ItemsOf(catalog, u))
            {
                if (!PlantedTasteCatalog.Blockbusters.Contains(i) && !catalog.IsSegmentItem(i))
                    picks[i] = picks.GetValueOrDefault(i) + 1;
            }
        }
        return picks;
    }

    private static List<int> TopTen(PlantedTasteCatalog catalog) =>
        [.. FavouritePicks(catalog).GroupBy(p => PlantedTasteCatalog.CategoryOf(p.Key))
            .SelectMany(g => g.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Take(10).Select(p => p.Key))];

    private static double TopTenShare(PlantedTasteCatalog catalog)
    {
        var picks = FavouritePicks(catalog);
        return TopTen(catalog).Sum(i => picks[i]) / (double)picks.Values.Sum();
    }
}
