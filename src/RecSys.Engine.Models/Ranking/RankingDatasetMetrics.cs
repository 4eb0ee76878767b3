using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Evaluation;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// NDCG@K of a ranker's scores on a <see cref="RankingDataset"/>, the way the evaluator measures the test part: each
/// query's top K candidates by score against all of the user's held-out items (those no source retrieved count in the
/// ideal DCG too), averaged over queries. Any ranker (MLP, GBDT) is validated with this.
/// </summary>
public static class RankingDatasetMetrics
{
    /// <param name="scores">One score per dataset row.</param>
    public static double MeanNdcg(RankingDataset data, ReadOnlySpan<float> scores, int k)
    {
        if (scores.Length != data.Rows)
            throw new ArgumentException($"{data.Rows} rows need as many scores, got {scores.Length}", nameof(scores));
        if (data.Queries == 0)
            return 0;
        var top = new int[k];
        var distances = new float[k];
        var ids = new long[k];
        var relevant = new List<int>();
        double sum = 0;
        for (int q = 0; q < data.Queries; q++)
        {
            int start = data.QueryStart[q], n = data.QueryLength(q);
            ReadOnlySpan<float> labels = data.QueryLabels(q);
            relevant.Clear();
            int retrieved = 0;
            for (int c = 0; c < n; c++)
            {
                if (labels[c] > 0)
                {
                    relevant.Add(c);
                    retrieved++;
                }
            }
            // Held-out items no source retrieved: ids below every candidate index, so the list stays sorted.
            for (int m = data.QueryRelevant[q] - retrieved; m > 0; m--)
                relevant.Insert(0, -m);
            int found = TopItems.Select(scores.Slice(start, n), top.AsSpan(0, Math.Min(k, n)), distances, ids);
            sum += RankingMetrics.Ndcg(top.AsSpan(0, found), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(relevant), k);
        }
        return sum / data.Queries;
    }

    /// <summary>
    /// NDCG@K of each source's own order (by its inverse rank column; sources that retrieved nothing are left out): the
    /// single-source baselines a ranker has to beat on the same queries.
    /// </summary>
    public static Dictionary<string, double> SourceNdcg(RankingDataset data, int k)
    {
        var result = new Dictionary<string, double>();
        int f = data.Schema.Count;
        var scores = new float[data.Rows];
        foreach (string source in data.Schema.Sources)
        {
            int column = data.Schema.IndexOf($"source_{source}_inverse_rank");
            if (column < 0)
                continue;
            for (int r = 0; r < scores.Length; r++)
                scores[r] = data.Features[r * f + column];
            if (scores.Any(v => v != 0))
                result[source] = MeanNdcg(data, scores, k);
        }
        return result;
    }
}
