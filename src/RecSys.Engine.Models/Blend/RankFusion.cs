using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;

namespace RecSys.Engine.Models.Blend;

/// <summary>
/// Weighted reciprocal rank fusion (Cormack et al. 2009): each source ranks the items the user has not
/// seen; an item's blended score is sum over sources of w_s / (c + rank_s(item)) over each source's top
/// <see cref="Depth"/>. Rank-based, so sources with incomparable score scales (cosine, dot products,
/// counts) mix without calibration. The stand-in for the learned ranker.
/// </summary>
public sealed class RankFusion(IReadOnlyList<BlendSource> sources, int depth = 100, float c = 60f, bool fitSources = true) : IRecommender, IHistoryScorer
{
    private InteractionMatrix? _train;
    private int _items;

    public string Name => "blend";

    public IReadOnlyList<BlendSource> Sources { get; } = sources.Count > 0 ? sources : throw new ArgumentException("the blend needs at least one source", nameof(sources));

    public int Depth { get; } = depth >= 1 ? depth : throw new ArgumentOutOfRangeException(nameof(depth));

    public float C { get; } = c >= 0 ? c : throw new ArgumentOutOfRangeException(nameof(c));

    public string Describe() =>
        $"rrf c={C:G} depth={Depth} weights=" + string.Join(",", Sources.Select(s => $"{s.Source.Name}:{s.Weight:G}"));

    public void Fit(TrainingData data)
    {
        _train = data.Matrix;
        _items = data.ItemCount;
        if (fitSources)
        {
            foreach (var s in Sources)
                s.Source.Fit(data);
        }
    }

    /// <summary>The catalog size the blend scores over (set by Fit or by a restore).</summary>
    public int ItemCount => _items;

    internal void Restore(int items) => _items = items;

    /// <summary>Attaches histories to the blend (seen-item exclusion) and to every source that scores from histories.</summary>
    public void AttachHistories(InteractionMatrix usersByItems)
    {
        _train = usersByItems;
        foreach (var s in Sources)
        {
            if (s.Source is IHistoryScorer h)
                h.AttachHistories(usersByItems);
        }
    }

    /// <remarks>Allocates its per-call buffers: this is the offline stand-in for the ranker, not a serving path.</remarks>
    public void Score(int user, Span<float> scores)
    {
        int depth = Math.Min(Depth, _items);
        var sourceScores = new float[_items];
        var top = new int[depth];
        var dist = new float[depth];
        var ids = new long[depth];
        Span<float> s = scores[.._items];
        s.Clear();
        ReadOnlySpan<int> seen = _train!.Columns(user);
        foreach (var source in Sources)
        {
            if (source.Weight == 0)
                continue;
            source.Source.Score(user, sourceScores);
            TopItems.Exclude(sourceScores, seen);
            int n = TopItems.Select(sourceScores, top, dist, ids);
            for (int r = 0; r < n; r++)
                s[top[r]] += source.Weight / (C + r + 1);
        }
    }
}
