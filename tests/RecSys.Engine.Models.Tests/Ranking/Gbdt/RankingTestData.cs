using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Models.Tests.Ranking.Gbdt;

/// <summary>Synthetic ranking queries with a planted signal, and graded NDCG to score a ranking of them.</summary>
internal static class RankingTestData
{
    public const int Features = 8;

    /// <summary>Feature 4: the popularity-like column, correlated with relevance but far from all of it.</summary>
    public const int PopularityFeature = 4;

    /// <summary>
    /// <paramref name="queries"/> queries of <paramref name="perQuery"/> candidates. Relevance comes from features 0-3
    /// (a main effect, an interaction and a penalty) plus noise, graded 0-3 by its global quantile; feature 1 is
    /// missing (NaN) for a tenth of the rows, read as 0.5 by the truth. Feature 4 is popularity-like: half the
    /// clean signal plus as much noise. Features 5-7 are noise.
    /// </summary>
    public static RankingTrainingSet Queries(int seed, int queries, int perQuery)
    {
        var rng = new Random(seed);
        int rows = queries * perQuery;
        var x = new float[rows * Features];
        var signal = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.AsSpan(r * Features, Features);
            for (int f = 0; f < Features; f++)
                row[f] = (float)rng.NextDouble();
            double f1 = row[1];
            if (rng.NextDouble() < 0.1)
            {
                row[1] = float.NaN;
                f1 = 0.5;
            }
            double clean = 2.0 * row[0] + 1.5 * (f1 > 0.5 ? row[2] : -row[2]) - 1.0 * row[3];
            row[PopularityFeature] = (float)(0.5 * clean + 0.5 * Gaussian(rng));
            signal[r] = clean + 0.3 * Gaussian(rng);
        }
        double[] sorted = (double[])signal.Clone();
        Array.Sort(sorted);
        double q70 = sorted[(int)(rows * 0.70)], q85 = sorted[(int)(rows * 0.85)], q95 = sorted[(int)(rows * 0.95)];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
            y[r] = signal[r] >= q95 ? 3 : signal[r] >= q85 ? 2 : signal[r] >= q70 ? 1 : 0;
        return new RankingTrainingSet(x, Features, y, Enumerable.Repeat(perQuery, queries).ToArray());
    }

    /// <summary>Mean NDCG@k (gain 2^grade - 1, log2 discount) over the queries that have a relevant row.</summary>
    public static double MeanNdcg(RankingTrainingSet set, ReadOnlySpan<float> scores, int k)
    {
        ReadOnlySpan<float> labels = set.Labels.Span;
        double sum = 0;
        int counted = 0, start = 0;
        foreach (int size in set.GroupSizes.Span)
        {
            float[] y = labels.Slice(start, size).ToArray();
            float[] s = scores.Slice(start, size).ToArray();
            start += size;
            int[] order = Enumerable.Range(0, size).OrderByDescending(i => s[i]).ThenBy(i => i).ToArray();
            double ideal = Dcg(y.OrderByDescending(g => g).ToArray(), k);
            if (ideal == 0)
                continue;
            sum += Dcg(order.Select(i => y[i]).ToArray(), k) / ideal;
            counted++;
        }
        return sum / counted;
    }

    private static double Dcg(float[] grades, int k)
    {
        double dcg = 0;
        for (int i = 0; i < Math.Min(k, grades.Length); i++)
            dcg += (Math.Pow(2, grades[i]) - 1) / Math.Log2(i + 2);
        return dcg;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
