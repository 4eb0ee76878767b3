using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;

namespace RecSys.Engine.Models.Popularity;

/// <summary>
/// Time-decayed popularity: each event weighs 2^(-age / half-life); an item's score is the sum of its
/// weights, overall or within the user's segment (backed off to the overall share). The cold-start source:
/// it needs nothing from the user but (optionally) their demographics. "popularity" is the overall,
/// undecayed form; "trending" the decayed, per-segment one.
/// </summary>
public sealed class PopularityModel : IRecommender
{
    private double[] _overall = [];
    private Dictionary<string, double[]> _segments = new(StringComparer.Ordinal);
    private Dictionary<string, double> _segmentTotals = new(StringComparer.Ordinal);
    private double _overallTotal;
    private string[] _userSegments = [];

    public PopularityModel(PopularityOptions? options = null, string? name = null)
    {
        Options = options ?? new PopularityOptions();
        if (!(Options.HalfLifeDays > 0))
            throw new ArgumentOutOfRangeException(nameof(options), $"half-life must be > 0 days, got {Options.HalfLifeDays}");
        if (!(Options.SegmentPrior >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), $"segment prior must be >= 0, got {Options.SegmentPrior}");
        Name = name ?? (Options.BySegment || double.IsFinite(Options.HalfLifeDays) ? ModelKind.Trending : ModelKind.Popularity).Name();
    }

    public PopularityOptions Options { get; }

    public string Name { get; }

    public int ItemCount => _overall.Length;

    public string Describe() =>
        $"half_life_days={(double.IsFinite(Options.HalfLifeDays) ? Options.HalfLifeDays.ToString("G") : "inf")} by_segment={Options.BySegment.ToString().ToLowerInvariant()}"
        + (Options.BySegment ? $" segment_prior={Options.SegmentPrior:G}" : "");

    public void Fit(TrainingData data)
    {
        InteractionSet events = data.Events;
        long now = Options.Now ?? events.MaxTimestamp();
        double halfLifeSeconds = Options.HalfLifeDays * 86400.0;
        _overall = new double[data.ItemCount];
        _segments = new(StringComparer.Ordinal);
        _segmentTotals = new(StringComparer.Ordinal);
        _overallTotal = 0;
        // Kept: Score(user) needs the user's segment, and a saved model has no demographics to recompute it.
        var segmentOfUser = _userSegments = new string[data.UserCount];
        for (int u = 0; u < segmentOfUser.Length; u++)
            segmentOfUser[u] = UserSegments.Of(data.Demographics, u);
        for (int e = 0; e < events.Count; e++)
        {
            double w = double.IsFinite(halfLifeSeconds) ? Math.Pow(2, -Math.Max(0, now - events.Timestamps[e]) / halfLifeSeconds) : 1.0;
            int item = events.ItemOrdinals[e];
            _overall[item] += w;
            _overallTotal += w;
            if (!Options.BySegment)
                continue;
            string seg = segmentOfUser[events.UserOrdinals[e]];
            if (!_segments.TryGetValue(seg, out double[]? counts))
            {
                counts = new double[data.ItemCount];
                _segments.Add(seg, counts);
                _segmentTotals.Add(seg, 0);
            }
            counts[item] += w;
            _segmentTotals[seg] += w;
        }
    }

    /// <summary>Decayed weight of <paramref name="item"/> overall.</summary>
    public double OverallWeight(int item) => _overall[item];

    public void Score(int user, Span<float> scores) =>
        ScoreSegment(Options.BySegment ? ((uint)user < (uint)_userSegments.Length ? _userSegments[user] : "") : null, scores);

    /// <summary>The segment key of each user ordinal seen in training ("" without demographics).</summary>
    public IReadOnlyList<string> UserSegmentKeys => _userSegments;

    /// <summary>The segments with counts, in a stable (ordinal) order.</summary>
    public IReadOnlyList<string> SegmentKeys => _segments.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Decayed weight of <paramref name="item"/> in <paramref name="segment"/>.</summary>
    public double SegmentWeight(string segment, int item) => _segments[segment][item];

    /// <summary>Sum of the decayed weights overall (not the sum of the item weights: events are summed in event order).</summary>
    public double OverallTotal => _overallTotal;

    public double SegmentTotal(string segment) => _segmentTotals[segment];

    /// <summary>Restores a trained model (from <see cref="Persistence.ModelStore"/>).</summary>
    internal void Restore(double[] overall, double overallTotal, IReadOnlyList<(string Key, double[] Counts, double Total)> segments, string[] userSegments)
    {
        _overall = overall;
        _overallTotal = overallTotal;
        _segments = new(StringComparer.Ordinal);
        _segmentTotals = new(StringComparer.Ordinal);
        foreach (var (key, counts, total) in segments)
        {
            _segments.Add(key, counts);
            _segmentTotals.Add(key, total);
        }
        _userSegments = userSegments;
    }

    /// <summary>Scores for a segment key (<see cref="UserSegments.Of"/>), or overall with null; usable for users with no history.</summary>
    public void ScoreSegment(string? segment, Span<float> scores)
    {
        double total = Math.Max(_overallTotal, double.Epsilon);
        if (segment is null || !_segments.TryGetValue(segment, out double[]? counts))
        {
            for (int i = 0; i < _overall.Length; i++)
                scores[i] = (float)(_overall[i] / total);
            return;
        }
        double m = Options.SegmentPrior, segTotal = _segmentTotals[segment];
        for (int i = 0; i < _overall.Length; i++)
            scores[i] = (float)((counts[i] + m * _overall[i] / total) / (segTotal + m));
    }
}
