using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Pipeline.Experiments;

namespace RecSys.Engine.Pipeline.Tests.Experiments;

/// <summary>
/// Bucketing is uniform (chi-square at significance 0.001 over 100,000 users, for consecutive, strided and random
/// ids), deterministic (the same position in every process: pinned values), and independent between salts.
/// </summary>
public sealed class ExperimentBucketingTests
{
    private const int Users = 100_000;

    private static long[] UserIds(string pattern)
    {
        var rng = new SplitMix64(99);
        var ids = new long[Users];
        for (int i = 0; i < Users; i++)
        {
            ids[i] = pattern switch
            {
                "consecutive" => 1 + i,
                "stride" => 1024L * i, // ids that share their low bits: a hash that keeps low bits would fail
                _ => (long)rng.Next(),
            };
        }
        return ids;
    }

    private static double ChiSquare(long[] observed, double[] expected)
    {
        double chi = 0;
        for (int i = 0; i < observed.Length; i++)
            chi += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
        return chi;
    }

    [Theory]
    [InlineData("consecutive")]
    [InlineData("stride")]
    [InlineData("random")]
    public void Variants_get_their_shares_by_chi_square(string pattern)
    {
        long[] ids = UserIds(pattern);
        VariantConfig[] variants = [new() { Name = "a", Share = 0.5 }, new() { Name = "b", Share = 0.3 }, new() { Name = "c", Share = 0.2 }];
        double[] cumulative = ExperimentBucketing.Cumulative(variants);
        ulong salt = ExperimentBucketing.SaltKey("home-ranker-2025");
        var counts = new long[3];
        var bins = new long[20];
        foreach (long id in ids)
        {
            double p = ExperimentBucketing.Position(id, salt);
            Assert.InRange(p, 0, 1 - double.Epsilon);
            counts[ExperimentBucketing.Choose(p, cumulative)]++;
            bins[(int)(p * bins.Length)]++;
        }
        // Critical values at significance 0.001: 13.816 (2 degrees of freedom), 43.820 (19).
        double shares = ChiSquare(counts, [0.5 * Users, 0.3 * Users, 0.2 * Users]);
        Assert.True(shares < 13.816, $"chi-square {shares:F2} over the shares ({string.Join(", ", counts)})");
        double uniform = ChiSquare(bins, [.. Enumerable.Repeat((double)Users / bins.Length, bins.Length)]);
        Assert.True(uniform < 43.820, $"chi-square {uniform:F2} over 20 equal bins");
    }

    [Fact]
    public void Two_salts_bucket_independently()
    {
        // Pearson's test of independence on the 2 x 2 table of the 50/50 split under two salts (expected counts from the
        // margins); at significance 0.001 with 1 degree of freedom: chi-square < 10.828.
        ulong a = ExperimentBucketing.SaltKey("exp-a"), b = ExperimentBucketing.SaltKey("exp-b");
        var table = new long[4];
        for (long id = 1; id <= Users; id++)
            table[(ExperimentBucketing.Position(id, a) < 0.5 ? 0 : 2) + (ExperimentBucketing.Position(id, b) < 0.5 ? 0 : 1)]++;
        double[] rows = [table[0] + table[1], table[2] + table[3]], columns = [table[0] + table[2], table[1] + table[3]];
        double chi = ChiSquare(table, [rows[0] * columns[0] / Users, rows[0] * columns[1] / Users, rows[1] * columns[0] / Users, rows[1] * columns[1] / Users]);
        Assert.True(chi < 10.828, $"chi-square {chi:F2} ({string.Join(", ", table)})");
        // The same user under the two salts lands apart about half the time (not a copy of one split).
        Assert.InRange(table[1] + table[2], 0.49 * Users, 0.51 * Users);
    }

    [Fact]
    public void Positions_are_the_same_in_every_process()
    {
        // Pinned: a change of the hash (or string.GetHashCode, randomised per process) moves every user.
        Assert.Equal(0.025087815129893443, ExperimentBucketing.Position(42, "home-ranker-2025"));
        Assert.Equal(0.9147824818802254, ExperimentBucketing.Position(1, "home-ranker-2025"));
        Assert.Equal(0.03611427746296669, ExperimentBucketing.Position(42, "other"));
        double[] cumulative = [0.5, 1.0];
        Assert.Equal(0, ExperimentBucketing.Choose(0, cumulative));
        Assert.Equal(1, ExperimentBucketing.Choose(0.5, cumulative));
        Assert.Equal(2, ExperimentBucketing.Choose(0.9999999999999999, [0.3, 0.6, 0.9999999999]));
    }
}
