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
        var m = a.Data.Matrix;
        for (int u = 0; u < a.Users; u++)
        {
            a.Data.Events.Users.TryGetOrdinal(PlantedTasteCatalog.UserId(u).ToString(System.Globalization.CultureInfo.InvariantCulture), out int row);
            int favourites = 0;
            foreach (int item in m.Columns(row))
            {
                if (PlantedTasteCatalog.CategoryOf(PlantedTasteCatalog.ItemIndex(long.Parse(a.Data.Events.Items[item], System.Globalization.CultureInfo.InvariantCulture))) == PlantedTasteCatalog.Favourite(u))
                    favourites++;
            }
            Assert.True(favourites >= 12, $"user {u}: {favourites} items of the favourite category");
        }
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
}
