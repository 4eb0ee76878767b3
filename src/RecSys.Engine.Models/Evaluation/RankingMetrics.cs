namespace RecSys.Engine.Models.Evaluation;

/// <summary>
/// Per-user ranking metrics at K over binary relevance. <c>recommended</c> is the top-K list in rank
/// order (it may be shorter than K); <c>relevant</c> is the user's held-out items, sorted ascending.
/// Definitions (the ones Microsoft Recommenders uses, so numbers compare with its tables):
/// <list type="bullet">
/// <item>NDCG@K = DCG / IDCG with gain 1 / log2(rank + 1) (rank from 1), IDCG over min(|rel|, K) hits.</item>
/// <item>Recall@K = hits / |rel|; Precision@K = hits / K (K, not the list length).</item>
/// <item>MAP@K: AP = (sum over hit ranks r of hits-so-far / r) / |rel|.</item>
/// <item>MRR: 1 / rank of the first hit within K, 0 without one; hit rate: 1 if any hit within K.</item>
/// </list>
/// </summary>
public static class RankingMetrics
{
    public static double Ndcg(ReadOnlySpan<int> recommended, ReadOnlySpan<int> relevant, int k)
    {
        if (relevant.IsEmpty)
            return 0;
        double dcg = 0;
        int n = Math.Min(k, recommended.Length);
        for (int r = 0; r < n; r++)
        {
            if (relevant.BinarySearch(recommended[r]) >= 0)
                dcg += 1.0 / Math.Log2(r + 2);
        }
        double idcg = 0;
        int ideal = Math.Min(k, relevant.Length);
        for (int r = 0; r < ideal; r++)
            idcg += 1.0 / Math.Log2(r + 2);
        return dcg / idcg;
    }

    public static int Hits(ReadOnlySpan<int> recommended, ReadOnlySpan<int> relevant, int k)
    {
        int hits = 0;
        int n = Math.Min(k, recommended.Length);
        for (int r = 0; r < n; r++)
        {
            if (relevant.BinarySearch(recommended[r]) >= 0)
                hits++;
        }
        return hits;
    }

    public static double Recall(ReadOnlySpan<int> recommended, ReadOnlySpan<int> relevant, int k) =>
        relevant.IsEmpty ? 0 : (double)Hits(recommended, relevant, k) / relevant.Length;

    public static double Precision(ReadOnlySpan<int> recommended, ReadOnlySpan<int> relevant, int k) =>
        (double)Hits(recommended, relevant, k) / k;

    public static double AveragePrecision(ReadOnlySpan<int> recommended, ReadOnlySpan<int> relevant, int k)
    {
        if (relevant.IsEmpty)
            return 0;
        double sum = 0;
        int hits = 0;
        int n = Math.Min(k, recommended.Length);
        for (int r = 0; r < n; r++)
        {
            if (relevant.BinarySearch(recommended[r]) >= 0)
            {
                hits++;
                sum += (double)hits / (r + 1);
            }
        }
        return sum / relevant.Length;
    }

    public static double ReciprocalRank(ReadOnlySpan<int> recommended, ReadOnlySpan<int> relevant, int k)
    {
        int n = Math.Min(k, recommended.Length);
        for (int r = 0; r < n; r++)
        {
            if (relevant.BinarySearch(recommended[r]) >= 0)
                return 1.0 / (r + 1);
        }
        return 0;
    }

    public static double HitRate(ReadOnlySpan<int> recommended, ReadOnlySpan<int> relevant, int k) =>
        ReciprocalRank(recommended, relevant, k) > 0 ? 1 : 0;
}
