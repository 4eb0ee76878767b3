using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;

namespace RecSys.Engine.Models.Tests.Evaluation;

public sealed class ListMetricsTests
{
    [Fact]
    public void CategoryDiversity_IsMeanPairwiseJaccardDistance()
    {
        var catalog = new ItemCatalog();
        catalog.Set(0, "a", ["Action", "Comedy"]);
        catalog.Set(1, "b", ["Action"]);
        catalog.Set(2, "c", ["Drama"]);
        // pairs: (0,1) J = 1/2 -> 0.5; (0,2) J = 0 -> 1; (1,2) J = 0 -> 1. Mean = 2.5 / 3.
        Assert.Equal(2.5 / 3, ListMetrics.CategoryDiversity([0, 1, 2], catalog), 12);
        Assert.Equal(0.0, ListMetrics.CategoryDiversity([0], catalog));
    }

    [Fact]
    public void EmbeddingDiversity_IsMeanPairwiseCosineDistance()
    {
        // item 0 = (1, 0), item 1 = (0, 2), item 2 = (1, 1): cos(0,1) = 0, cos(0,2) = 1/sqrt2, cos(1,2) = 1/sqrt2.
        float[] e = [1, 0, 0, 2, 1, 1];
        double expected = (1 + 2 * (1 - 1 / Math.Sqrt(2))) / 3;
        Assert.Equal(expected, ListMetrics.EmbeddingDiversity([0, 1, 2], e, 2), 6);
    }

    [Fact]
    public void Novelty_IsMeanSelfInformation()
    {
        // 8 users; item 0 seen by 4 (p = 1/2, 1 bit), item 1 by 1 (3 bits), item 2 by none (counted as 1: 3 bits).
        Assert.Equal((1 + 3 + 3) / 3.0, ListMetrics.Novelty([0, 1, 2], [4, 1, 0], 8), 12);
    }
}
