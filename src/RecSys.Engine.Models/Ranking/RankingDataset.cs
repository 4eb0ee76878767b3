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

    /// <summary>The same rows as the GBDT trainer's input (arrays shared, not copied).</summary>
    public Gbdt.RankingTrainingSet ToTrainingSet()
    {
        var sizes = new int[Queries];
        for (int q = 0; q < Queries; q++)
            sizes[q] = QueryLength(q);
        return new Gbdt.RankingTrainingSet(Features, Schema.Count, Labels, sizes);
    }

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

    /// <summary>
    /// A seeded split by user: about <paramref name="validationFraction"/> of the users go to validation with all their
    /// queries (a user may have several, one per inner split), so no user is on both sides.
    /// </summary>
    public (RankingDataset Train, RankingDataset Validation) SplitByQuery(double validationFraction, ulong seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"must be in (0, 1), got {validationFraction}");
        int[] users = [.. QueryUser.Distinct().Order()];
        var rng = new Core.Randomness.SplitMix64(seed);
        for (int i = users.Length - 1; i > 0; i--)
        {
            int j = (int)(rng.Next() % (ulong)(i + 1));
            (users[i], users[j]) = (users[j], users[i]);
        }
        int valid = Math.Clamp((int)Math.Round(users.Length * validationFraction), 1, Math.Max(users.Length - 1, 1));
        var validationUsers = users[..valid].ToHashSet();
        var v = new List<int>();
        var t = new List<int>();
        for (int q = 0; q < Queries; q++)
            (validationUsers.Contains(QueryUser[q]) ? v : t).Add(q);
        return (Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(t)), Select(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(v)));
    }

    /// <summary>The queries of several datasets of one schema, one after another.</summary>
    public static RankingDataset Concat(IReadOnlyList<RankingDataset> parts)
    {
        if (parts.Count == 1)
            return parts[0];
        RankingFeatureSchema schema = parts[0].Schema;
        var features = new List<float>();
        var labels = new List<float>();
        var start = new List<int> { 0 };
        var user = new List<int>();
        var relevant = new List<int>();
        foreach (RankingDataset d in parts)
        {
            if (d.Schema.FirstDifference(schema) is { } diff)
                throw new ArgumentException($"datasets of different schemas: {diff}", nameof(parts));
            features.AddRange(d.Features);
            labels.AddRange(d.Labels);
            for (int q = 0; q < d.Queries; q++)
                start.Add(start[^1] + d.QueryLength(q));
            user.AddRange(d.QueryUser);
            relevant.AddRange(d.QueryRelevant);
        }
        return new RankingDataset(schema, [.. features], [.. labels], [.. start], [.. user], [.. relevant]);
    }
}
