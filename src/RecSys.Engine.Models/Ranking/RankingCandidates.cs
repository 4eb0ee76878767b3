namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// One user's merged candidate list with provenance, as <see cref="RankingCandidateGenerator"/> writes it: the items
/// (first-seen order over the sources), and per source (source-major) each candidate's score (schema v3: whether or not the source
/// retrieved it) and 1-based rank (0 when that source did not retrieve it). Also the generator's scratch: reuse one instance per thread.
/// </summary>
public sealed class RankingCandidates
{
    internal RankingCandidates(int sources, int perSource, int items)
    {
        Sources = sources;
        Capacity = sources * perSource;
        Items = new int[Capacity];
        Scores = new float[sources * Capacity];
        Ranks = new int[sources * Capacity];
        FullScores = new float[sources * items];
        Position = new int[items];
        Array.Fill(Position, -1);
        Top = new int[sources * perSource];
        TopCount = new int[sources];
        TopDistances = new float[perSource];
        TopIds = new long[perSource];
    }

    public int Sources { get; }

    public int Capacity { get; }

    public int Count { get; internal set; }

    internal int[] Items { get; }

    internal float[] Scores { get; }

    internal int[] Ranks { get; }

    /// <summary>Each source's scores of the whole catalog, [sources x items].</summary>
    internal float[] FullScores { get; }

    /// <summary>Item -> index in <see cref="Items"/>, -1 when absent (reset after each user).</summary>
    internal int[] Position { get; }

    /// <summary>Each source's top list, [sources x perSource].</summary>
    internal int[] Top { get; }

    internal int[] TopCount { get; }

    internal float[] TopDistances { get; }

    internal long[] TopIds { get; }

    public ReadOnlySpan<int> CandidateItems => Items.AsSpan(0, Count);

    /// <summary>[sources x Count], source-major: every source's score of every candidate (NaN where the source has no model).</summary>
    public ReadOnlySpan<float> SourceScores => Scores.AsSpan(0, Sources * Count);

    /// <summary>[sources x Count], source-major.</summary>
    public ReadOnlySpan<int> SourceRanks => Ranks.AsSpan(0, Sources * Count);
}
