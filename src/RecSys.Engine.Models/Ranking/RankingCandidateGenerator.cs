using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The retrieval stage offline: each trained source ranks every item for the user, the user's seen items are dropped,
/// each source's top <see cref="PerSource"/> are merged (first-seen order, sources in schema order), and each candidate
/// gets the rank of every source that retrieved it and the score of every source (schema v3: dense scores). These
/// are the ranker's hard negatives in training and its candidates in evaluation.
/// </summary>
public sealed class RankingCandidateGenerator
{
    private readonly IRecommender?[] _sources;

    /// <param name="sources">One entry per schema source, in schema order; null where that source has no model (its
    /// scores read NaN, its ranks 0).</param>
    /// <param name="seen">Users x items: what each user already has (never a candidate).</param>
    public RankingCandidateGenerator(IReadOnlyList<IRecommender?> sources, InteractionMatrix seen, int perSource)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSource, 1);
        _sources = [.. sources];
        if (_sources.All(s => s is null))
            throw new ArgumentException("at least one candidate source needs a model", nameof(sources));
        Seen = seen;
        PerSource = Math.Min(perSource, seen.ColumnCount);
    }

    public InteractionMatrix Seen { get; }

    public int PerSource { get; }

    public int SourceCount => _sources.Length;

    public RankingCandidates CreateScratch() => new(_sources.Length, PerSource, Seen.ColumnCount);

    /// <summary>Fills <paramref name="into"/> with <paramref name="user"/>'s candidates. Thread-safe with one scratch per thread.</summary>
    public void Generate(int user, RankingCandidates into)
    {
        int sources = _sources.Length, items = Seen.ColumnCount, k = PerSource, n = 0;
        ReadOnlySpan<int> seen = Seen.Columns(user);
        for (int s = 0; s < sources; s++)
        {
            into.TopCount[s] = 0;
            IRecommender? source = _sources[s];
            if (source is null)
                continue;
            Span<float> full = into.FullScores.AsSpan(s * items, items);
            source.Score(user, full);
            TopItems.Exclude(full, seen); // candidates are never seen items, so their scores stay intact
            Span<int> top = into.Top.AsSpan(s * k, k);
            int m = into.TopCount[s] = TopItems.Select(full, top, into.TopDistances, into.TopIds);
            foreach (int item in top[..m])
            {
                if (into.Position[item] < 0)
                    into.Items[into.Position[item] = n++] = item;
            }
        }
        into.Count = n;
        // Now that the list is complete: each source's rank of the candidates it retrieved (0 for the others) and, schema
        // v3, its score of EVERY candidate (a source that can score one item, as every offline source can, scores the
        // other sources' candidates too: serving computes the same from the user's vector or profile).
        for (int s = 0; s < sources; s++)
        {
            Span<float> scores = into.Scores.AsSpan(s * n, n);
            Span<int> ranks = into.Ranks.AsSpan(s * n, n);
            ranks.Clear();
            if (_sources[s] is null)
            {
                scores.Fill(float.NaN);
                continue;
            }
            ReadOnlySpan<float> full = into.FullScores.AsSpan(s * items, items);
            ReadOnlySpan<int> candidates = into.Items.AsSpan(0, n);
            for (int c = 0; c < n; c++)
            {
                float v = full[candidates[c]];
                scores[c] = float.IsFinite(v) ? v : float.NaN;
            }
            ReadOnlySpan<int> top = into.Top.AsSpan(s * k, into.TopCount[s]);
            for (int r = 0; r < top.Length; r++)
                ranks[into.Position[top[r]]] = r + 1;
        }
        foreach (int item in into.Items.AsSpan(0, n))
            into.Position[item] = -1;
    }
}
