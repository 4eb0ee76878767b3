using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Tests.Data;

public sealed class SplitterTests
{
    private static HashSet<(int, int, long)> Keys(InteractionSet s) =>
        Enumerable.Range(0, s.Count).Select(e => (s.UserOrdinals[e], s.ItemOrdinals[e], s.Timestamps[e])).ToHashSet();

    [Fact]
    public void RandomPerUser_PartitionsEveryUserByFraction_AndIsDeterministic()
    {
        var set = TestData.Planted(users: 50, items: 80, rank: 4, perUser: 20, seed: 3);
        var split = Splitter.RandomPerUser(set, 0.75, seed: 42);
        Assert.Equal(set.Count, split.Train.Count + split.Test.Count);
        var train = Keys(split.Train);
        Assert.Empty(train.Intersect(Keys(split.Test)));
        // Every user: round(20 * 0.75) = 15 train, 5 test.
        for (int u = 0; u < set.UserCount; u++)
        {
            Assert.Equal(15, split.Train.UserOrdinals.Count(x => x == u));
            Assert.Equal(5, split.Test.UserOrdinals.Count(x => x == u));
        }
        var again = Splitter.RandomPerUser(set, 0.75, seed: 42);
        Assert.Equal(split.Test.ItemOrdinals, again.Test.ItemOrdinals);
        var other = Splitter.RandomPerUser(set, 0.75, seed: 43);
        Assert.NotEqual(split.Test.ItemOrdinals, other.Test.ItemOrdinals);
    }

    [Fact]
    public void RandomPerUser_SingleEventUsersStayInTrain()
    {
        var set = TestData.FromTriples(("a", "1", 1, 0), ("b", "1", 1, 0), ("b", "2", 1, 0));
        var split = Splitter.RandomPerUser(set, 0.75, 1);
        Assert.Equal(2, split.Train.Count); // a's one event and one of b's two
        Assert.Single(split.Test.UserOrdinals, 1);
    }

    [Fact]
    public void TemporalLastN_HoldsOutEachUsersNewestEvents()
    {
        var set = TestData.FromTriples(("a", "1", 1, 30), ("a", "2", 1, 10), ("a", "3", 1, 20), ("b", "1", 1, 5), ("c", "4", 1, 1), ("c", "5", 1, 9));
        var split = Splitter.TemporalLastN(set, 1);
        // a: newest is item 1 (t = 30); b keeps its only event; c: newest is item 5.
        var test = Enumerable.Range(0, split.Test.Count).Select(e => (set.Users[split.Test.UserOrdinals[e]], set.Items[split.Test.ItemOrdinals[e]])).ToList();
        Assert.Equal([("a", "1"), ("c", "5")], test);
        Assert.Equal(4, split.Train.Count);
        // No test event is older than any train event of the same user.
        for (int e = 0; e < split.Test.Count; e++)
        {
            int u = split.Test.UserOrdinals[e];
            for (int t = 0; t < split.Train.Count; t++)
            {
                if (split.Train.UserOrdinals[t] == u)
                    Assert.True(split.Train.Timestamps[t] <= split.Test.Timestamps[e]);
            }
        }
    }

    [Fact]
    public void TemporalGlobalCut_SplitsByTime()
    {
        var set = TestData.FromTriples(("a", "1", 1, 30), ("a", "2", 1, 10), ("b", "3", 1, 20));
        var split = Splitter.TemporalGlobalCut(set, 20);
        Assert.Equal([10L], split.Train.Timestamps);
        Assert.Equal([30L, 20L], split.Test.Timestamps);
    }

    [Fact]
    public void Matrix_MergesDuplicates_AndTransposes()
    {
        var set = TestData.FromTriples(("a", "x", 2, 0), ("a", "x", 3, 0), ("b", "y", 1, 0), ("a", "y", 1, 0));
        var weighted = InteractionMatrix.FromSet(set, binary: false);
        Assert.Equal([0, 1], weighted.Columns(0).ToArray());
        Assert.Equal([5f, 1f], weighted.RowValues(0).ToArray());
        Assert.Equal([1f, 1f], InteractionMatrix.FromSet(set, binary: true).RowValues(0).ToArray());
        var t = weighted.Transpose();
        Assert.Equal([0, 1], t.Columns(1).ToArray());
        Assert.True(t.Contains(0, 0));
        Assert.False(t.Contains(0, 1));
    }

    [Fact]
    public void LatestShareCut_HoldsOutTheNewestShareOfEvents()
    {
        var set = TestData.FromTriples(("a", "1", 1, 10), ("a", "2", 1, 20), ("b", "1", 1, 30), ("b", "3", 1, 40), ("c", "2", 1, 50),
            ("c", "3", 1, 60), ("a", "3", 1, 70), ("b", "2", 1, 80));
        long cut = Splitter.LatestShareCut(set, 0.25);
        Assert.Equal(70, cut);
        var split = Splitter.TemporalGlobalCut(set, cut);
        Assert.Equal(2, split.Test.Count);
        Assert.Equal(60, Splitter.LatestShareCut(set, 0.4)); // round(8 * 0.6) = 5: the sixth event onwards
        Assert.Throws<ArgumentOutOfRangeException>(() => Splitter.LatestShareCut(set, 1.0));
    }
}
