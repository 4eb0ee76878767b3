namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// Learning-to-rank rows grouped by query (one query = one user's candidate list): features [rows x schema features]
/// row-major, a 0/1 label per row, and per query its user and how many held-out items the user has in all (retrieved
/// or not), so a metric on these queries is the same NDCG@K the evaluator computes on the test part.
/// </summary>
public sealed class RankingDataset
{
    public RankingDataset(RankingFeatureSchema schema, float[] features, float[] labels, int[] queryStart, int[] queryUser, int[] queryRelevant)
    {
        int rows = labels.Length, queries = queryUser.Length;
        if (features.Length != rows * schema.Count)
            throw new ArgumentException($"features hold {features.Length} floats, {rows} rows x {schema.Count} features need {rows * schema.Count}", nameof(features));
        if (queryStart.Length != queries + 1 || queryRelevant.Length != queries || queryStart[0] != 0 || queryStart[queries] != rows)
            throw new ArgumentException("query offsets do not cover the rows", nameof(queryStart));
        Schema = schema;
        Features = features;
        Labels = labels;
        QueryStart = queryStart;
        QueryUser = queryUser;
        QueryRelevant = queryRelevant;
    }

    public RankingFeatureSchema Schema { get; }

    public float[] Features { get; }

    public float[] Labels { get; }

    /// <summary>Queries + 1 row offsets.</summary>
    public int[] QueryStart { get; }

    public int[] QueryUser { get; }

    /// <summary>Held-out items per query, retrieved or not (the ideal DCG's denominator).</summary>
    public int[] QueryRelevant { get; }

    public int Rows => Labels.Length;

    public int Queries => QueryUser.Length;

    public int QueryLength(int q) => QueryStart[q + 1] - QueryStart[q];

    public ReadOnlySpan<float> QueryFeatures(int q) => Features.AsSpan(QueryStart[q] * Schema.Count, QueryLength(q) * Schema.Count);

    public ReadOnlySpan<float> QueryLabels(int q) => Labels.AsSpan(QueryStart[q], QueryLength(q));

    /// <summary>The queries at <paramref name="queries"/> (in that order) as a dataset of their own.</summary>
    public RankingDataset Select(ReadOnlySpan<int> queries)
    {
        int f = Schema.Count, rows = 0;
        foreach (int q in queries)
            rows += QueryLength(q);
        var features = new float[rows * f];
        var labels = new float[rows];
        var start = new int[queries.Length + 1];
        var user = new int[queries.Length];
        var relevant = new int[queries.Length];
        for (int k = 0; k < queries.Length; k++)
        {
            int q = queries[k];
            QueryFeatures(q).CopyTo(features.AsSpan(start[k] * f));
            QueryLabels(q).CopyTo(labels.AsSpan(start[k]));
            start[k + 1] = start[k] + QueryLength(q);
            user[k] = QueryUser[q];
            relevant[k] = QueryRelevant[q];
        }
        return new RankingDataset(Schema, features, labels, start, user, relevant);
    }

    /// <summary>A seeded split by query (user): about <paramref name="validationFraction"/> of the queries go to validation.</summary>
    public (RankingDataset Train, RankingDataset Validation) SplitByQuery(double validationFraction, ulong seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"must be in (0, 1), got {validationFraction}");
        int[] order = Enumerable.Range(0, Queries).ToArray();
        var rng = new Core.Randomness.SplitMix64(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        int valid = Math.Clamp((int)Math.Round(Queries * validationFraction), 1, Math.Max(Queries - 1, 1));
        int[] v = order[..valid], t = order[valid..];
        Array.Sort(v);
        Array.Sort(t);
        return (Select(t), Select(v));
    }
}
