using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;

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

    public string Name => ModelKind.Blend.Name();

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

    /// <summary>Per-thread scratch of <see cref="Score(int, Span{float})"/>, so the per-user path allocates nothing after a thread's first call.</summary>
    [ThreadStatic]
    private static BlendScratch? t_scratch;

    public void Score(int user, Span<float> scores)
    {
        BlendScratch scratch = t_scratch ?? new BlendScratch();
        t_scratch = null; // a blend among the sources (nested) takes its own scratch instead of this one
        try
        {
            Score(user, scores, scratch);
        }
        finally
        {
            t_scratch = scratch;
        }
    }

    /// <summary>The fused scores of <paramref name="user"/>, with the caller's scratch (allocation-free once it has grown).</summary>
    public void Score(int user, Span<float> scores, BlendScratch scratch)
    {
        int depth = Math.Min(Depth, _items);
        scratch.Ensure(_items, depth);
        Span<float> sourceScores = scratch.SourceScores.AsSpan(0, _items);
        Span<int> top = scratch.Top.AsSpan(0, depth);
        Span<float> s = scores[.._items];
        s.Clear();
        ReadOnlySpan<int> seen = _train!.Columns(user);
        for (int k = 0; k < Sources.Count; k++)
        {
            BlendSource source = Sources[k];
            if (source.Weight == 0)
                continue;
            source.Source.Score(user, sourceScores);
            TopItems.Exclude(sourceScores, seen);
            int n = TopItems.Select(sourceScores, top, scratch.Distances, scratch.Ids);
            for (int r = 0; r < n; r++)
                s[top[r]] += Contribution(source.Weight, C, r + 1);
        }
    }

    /// <summary>What a source of weight <paramref name="weight"/> gives the item it ranks at 1-based <paramref name="rank"/>: w / (c + rank).</summary>
    public static float Contribution(float weight, float c, int rank) => weight / (c + rank);
}
