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
        const int items = 4000, users = 800;
        var uniform = new PlantedTasteCatalog(items, users, perUser: 12, seed: 3);
        var skewed = new PlantedTasteCatalog(items, users, perUser: 12, seed: 3, popularitySkew: 1.0);
        Assert.Equal(uniform.Data.Events.Count, skewed.Data.Events.Count);

        // The share of favourite picks that land on the ten lowest-index items of each category (blockbusters and
        // segment items aside): about 10 / 500 under uniform draws, far more under Zipf(1) (about 0.3 of the weight).
        double TopShare(PlantedTasteCatalog c)
        {
            int top = 0, all = 0;
            var items = c.Data.Events.Items;
            foreach (int o in c.Data.Events.ItemOrdinals)
            {
                int i = PlantedTasteCatalog.ItemIndex(long.Parse(items[o], System.Globalization.CultureInfo.InvariantCulture));
                if (PlantedTasteCatalog.Blockbusters.Contains(i) || c.IsSegmentItem(i))
                    continue;
                all++;
                if (i / PlantedTasteCatalog.Categories < 10)
                    top++;
            }
            return top / (double)all;
        }
        Assert.InRange(TopShare(uniform), 0, 0.05);
        Assert.InRange(TopShare(skewed), 0.15, 0.5);

        AssertEveryUserHasFavourites(skewed, 12);
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

    [Fact]
    public void ASmallSkewedCatalog_StillEnds()
    {
        // Every favourite of a category taken, including its least likely items.
        var small = new PlantedTasteCatalog(items: PlantedTasteCatalog.MinItems(12), users: 40, perUser: 12, seed: 2, popularitySkew: PlantedTasteCatalog.MaxPopularitySkew);
        Assert.InRange(small.Data.Events.Count, 40 * 12, 40 * (12 + 5 + 2));
    }

    private static void AssertEveryUserHasFavourites(PlantedTasteCatalog catalog, int atLeast)
    {
        var m = catalog.Data.Matrix;
        var events = catalog.Data.Events;
        for (int u = 0; u < catalog.Users; u++)
        {
            Assert.True(events.Users.TryGetOrdinal(PlantedTasteCatalog.UserId(u).ToString(System.Globalization.CultureInfo.InvariantCulture), out int row));
            int favourites = 0;
            foreach (int item in m.Columns(row))
            {
                if (PlantedTasteCatalog.CategoryOf(PlantedTasteCatalog.ItemIndex(long.Parse(events.Items[item], System.Globalization.CultureInfo.InvariantCulture))) == PlantedTasteCatalog.Favourite(u))
                    favourites++;
            }
            Assert.True(favourites >= atLeast, $"user {u}: {favourites} items of the favourite category");
        }
    }
}
