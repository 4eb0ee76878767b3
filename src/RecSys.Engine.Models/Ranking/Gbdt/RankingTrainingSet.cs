namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// Rows to learn a ranking from: a [rows x features] row-major float matrix (NaN = missing), one relevance grade
/// per row, and the rows grouped into queries (one per user request): the first <c>GroupSizes[0]</c> rows are the
/// first query's candidates, and so on. Checked once here; the arrays are held, not copied.
/// </summary>
public sealed class RankingTrainingSet
{
    /// <exception cref="ArgumentException">A count that does not add up, a NaN or negative label, an empty query: the message names the argument and the row or query.</exception>
    public RankingTrainingSet(ReadOnlyMemory<float> features, int featureCount, ReadOnlyMemory<float> labels, ReadOnlyMemory<int> groupSizes)
    {
        if (featureCount < 1)
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, "at least one feature");
        if (features.Length % featureCount != 0)
            throw new ArgumentException($"{features.Length} values is not a whole number of rows of {featureCount} features", nameof(features));
        int rows = features.Length / featureCount;
        if (rows == 0)
            throw new ArgumentException("no rows", nameof(features));
        if (labels.Length != rows)
            throw new ArgumentException($"{labels.Length} labels for {rows} rows", nameof(labels));
        ReadOnlySpan<float> y = labels.Span;
        for (int r = 0; r < y.Length; r++)
        {
            if (!float.IsFinite(y[r]) || y[r] < 0)
                throw new ArgumentException($"label of row {r} is {y[r]}; labels are finite relevance grades >= 0", nameof(labels));
        }
        long sum = 0;
        ReadOnlySpan<int> groups = groupSizes.Span;
        for (int q = 0; q < groups.Length; q++)
        {
            if (groups[q] < 1)
                throw new ArgumentException($"query {q} has {groups[q]} rows; every query needs at least one", nameof(groupSizes));
            sum += groups[q];
        }
        if (sum != rows)
            throw new ArgumentException($"group sizes add up to {sum} rows, but there are {rows} rows", nameof(groupSizes));
        Features = features;
        FeatureCount = featureCount;
        Labels = labels;
        GroupSizes = groupSizes;
    }

    public ReadOnlyMemory<float> Features { get; }

    public int FeatureCount { get; }

    public ReadOnlyMemory<float> Labels { get; }

    public ReadOnlyMemory<int> GroupSizes { get; }

    public int Rows => Labels.Length;

    public int QueryCount => GroupSizes.Length;
}
