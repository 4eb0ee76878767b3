using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Tests.Serving;

public sealed class ImpressionCountTests
{
    [Fact]
    public void A_count_stops_at_its_cap_instead_of_wrapping_to_a_new_looking_negative()
    {
        var items = new CatalogIdMap();
        items.GetOrAdd(1L);
        items.GetOrAdd(2L);
        var catalog = new LiveCatalog(items, new KeyTable(), new KeyTable());
        catalog.RestoreImpressions([LiveCatalog.MaxImpressions - 1, 5]);
        for (int i = 0; i < 3; i++)
        {
            catalog.AddImpression(0);
            catalog.AddImpression(1);
        }
        Assert.Equal((LiveCatalog.MaxImpressions, 8), (catalog.Impressions(0), catalog.Impressions(1)));

        catalog.ClearImpressions(); // offline evaluation's replays start from zero
        Assert.Equal((0, 0), (catalog.Impressions(0), catalog.Impressions(1)));
    }
}
