using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Core.Tests.Vectors.Selection;

public class TopItemsTests
{
    [Fact]
    public void Selects_the_highest_scores_ties_to_the_smaller_item_skipping_excluded_ones()
    {
        var rng = new Random(4);
        var scores = Enumerable.Range(0, 2000).Select(_ => (float)rng.Next(100)).ToArray();
        int[] excluded = [5, 17, 1999];
        TopItems.Exclude(scores, excluded);
        scores[40] = float.NaN;
        var result = new int[25];
        int n = TopItems.Select(scores, result, new float[25], new long[25]);

        var expected = Enumerable.Range(0, scores.Length).Where(i => !float.IsNegativeInfinity(scores[i]) && !float.IsNaN(scores[i]))
            .OrderByDescending(i => scores[i]).ThenBy(i => i).Take(25).ToArray();
        Assert.Equal(25, n);
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Fewer_eligible_items_than_k_returns_how_many_there_are()
    {
        float[] scores = [0.5f, float.NegativeInfinity, 2f, float.NaN, 0.5f];
        var result = new int[4];
        int n = TopItems.Select(scores, result, new float[4], new long[4]);
        Assert.Equal(3, n);
        Assert.Equal([2, 0, 4], result[..n]);
    }
}
