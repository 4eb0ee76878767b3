using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Neighbors;

namespace RecSys.Engine.Models.Tests.Neighbors;

/// <summary>The sequence model: adjacency in time-ordered histories against a dense scalar reference.</summary>
public sealed class SequenceCoOccurrenceTests
{
    /// <summary>Random histories with tied and shuffled timestamps, so the time-then-item order matters.</summary>
    private static InteractionSet RandomHistories(int users, int items, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < items; i++) builder.Items.GetOrAdd($"i{i}");
        for (int u = 0; u < users; u++)
        {
            int n = 1 + (int)(rng.Next() % 12);
            for (int e = 0; e < n; e++)
                builder.Add($"u{u}", $"i{rng.Next() % (ulong)items}", 1f, 1000 + (long)(rng.Next() % 6));
        }
        return builder.Build();
    }

    /// <summary>The definition, spelled out densely: every pair within the window, 1 / distance, / sqrt(n_i n_j).</summary>
    private static double[] Reference(InteractionSet events, int window)
    {
        int n = events.ItemCount;
        var a = new double[n * n];
        var count = new double[n];
        for (int u = 0; u < events.UserCount; u++)
        {
            var mine = Enumerable.Range(0, events.Count).Where(e => events.UserOrdinals[e] == u)
                .OrderBy(e => events.Timestamps[e]).ThenBy(e => events.ItemOrdinals[e]).Select(e => events.ItemOrdinals[e]).ToArray();
            foreach (int i in mine) count[i]++;
            for (int p = 0; p < mine.Length; p++)
            {
                for (int q = 0; q < mine.Length; q++)
                {
                    if (q != p && Math.Abs(p - q) <= window && mine[p] != mine[q])
                        a[mine[p] * n + mine[q]] += 1.0 / Math.Abs(p - q);
                }
            }
        }
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (a[i * n + j] > 0) a[i * n + j] /= Math.Sqrt(count[i] * count[j]);
        return a;
    }

    [Theory]
    [InlineData(1, 50)]
    [InlineData(3, 50)]
    [InlineData(3, 4)]
    public void Neighbours_equal_the_dense_reference_best_first(int window, int keep)
    {
        var events = RandomHistories(80, 30, 7);
        int n = events.ItemCount;
        double[] expected = Reference(events, window);
        var (start, items, weights) = SequenceCoOccurrence.Fit(events, window, keep, maxDegreeOfParallelism: 2);
        Assert.Equal(n + 1, start.Length);
        for (int i = 0; i < n; i++)
        {
            var row = Enumerable.Range(0, n).Where(j => expected[i * n + j] > 0).OrderByDescending(j => expected[i * n + j]).ToArray();
            int len = start[i + 1] - start[i];
            Assert.Equal(Math.Min(keep, row.Length), len);
            for (int r = 0; r < len; r++)
            {
                int j = items[start[i] + r];
                Assert.NotEqual(i, j);
                Assert.Equal(expected[i * n + j], weights[start[i] + r], 1e-5);
                if (r > 0)
                    Assert.True(weights[start[i] + r] <= weights[start[i] + r - 1]);
            }
            // The kept ones are the best: nothing left out beats the last one kept.
            if (len > 0 && len < row.Length)
                Assert.True(expected[i * n + row[len]] <= weights[start[i] + len - 1] + 1e-6);
        }
    }

    [Fact]
    public void Only_events_within_the_window_of_one_users_history_count()
    {
        // u0: a b c d in time; u1: d a. Window 1: (a,b) (b,c) (c,d) from u0, (d,a) from u1; a and c never adjacent.
        var events = TestData.FromTriples(("u0", "a", 1, 4), ("u0", "b", 1, 5), ("u0", "c", 1, 6), ("u0", "d", 1, 7), ("u1", "d", 1, 1), ("u1", "a", 1, 2));
        var knn = new ItemKnn(10, ItemSimilarityKind.Sequence, window: 1);
        knn.Fit(new TrainingData(events));
        int Ordinal(string id) => events.Items.TryGetOrdinal(id, out int o) ? o : throw new KeyNotFoundException(id);
        int a = Ordinal("a"), b = Ordinal("b"), d = Ordinal("d");
        var (items, sims) = knn.NeighborsOf(a);
        Assert.Equal(new[] { b, d }.Order(), items.ToArray().Order());
        // a has 2 events, b 1, d 2: sim(a, b) = 1 / sqrt(2), sim(a, d) = 1 / sqrt(4).
        Assert.Equal(1 / Math.Sqrt(2), sims.Span[items.Span.IndexOf(b)], 1e-6);
        Assert.Equal(0.5, sims.Span[items.Span.IndexOf(d)], 1e-6);
        Assert.Equal("sequence", knn.Name);
        Assert.Contains("window=1", knn.Describe());
    }

    [Fact]
    public void The_factory_builds_it_from_the_settings_and_bad_values_are_refused()
    {
        var model = Assert.IsType<ItemKnn>(ModelFactory.Create(ModelKind.Sequence, new ModelSettings { SequenceNeighbors = 7, SequenceWindow = 2 }));
        Assert.Equal((7, 2, ItemSimilarityKind.Sequence), (model.Neighbors, model.Window, model.Similarity));
        Assert.Contains("window", Assert.Throws<ArgumentOutOfRangeException>(() => new ItemKnn(5, ItemSimilarityKind.Sequence, window: 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceCoOccurrence.Fit(RandomHistories(3, 3, 1), 1, 0));
    }
}
