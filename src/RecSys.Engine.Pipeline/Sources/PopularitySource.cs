using System.Collections.Concurrent;
using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Features;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Sources;

/// <summary>
/// Popular within the user's demographic segment, overall for a user without one (the cold-start source), as
/// precomputed lists: the popularity model scores the catalog once per segment when the source is built (off the
/// request path) and keeps the best <c>poolSize</c>; a request walks its segment's list. Segments are the
/// catalog's segment table (the model's keys), so a profile's int segment picks the model's list directly.
/// <para>
/// Real time (<see cref="RefreshAsync"/>): each list is re-ranked over its pool plus the items that had events
/// since the last refresh, by the model's score plus the store's decayed counters (each scaled to its maximum over
/// the pool), so items trending now rise without retraining. The server calls it on a timer (through
/// RecommendationPipeline.RefreshTrendingAsync, every Serving:TrendingRefreshInterval); lists are swapped whole,
/// requests never wait for it.
/// </para>
/// </summary>
public sealed class PopularitySource : ICandidateSource
{
    private readonly PopularityModel _model;
    private readonly LiveCatalog _catalog;
    private readonly int _poolSize;
    private readonly ConcurrentDictionary<int, byte> _touched = new();
    private Lists _lists;

    public PopularitySource(string name, PopularityModel model, LiveCatalog catalog, int poolSize = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(poolSize, 1);
        Name = name;
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _poolSize = poolSize;
        _lists = Build();
    }

    public string Name { get; }

    /// <summary>The list a request of <paramref name="segment"/> walks (ordinals, best first), for inspection.</summary>
    public ReadOnlySpan<int> ListOf(int segment) => Volatile.Read(ref _lists).Of(segment).Ordinals;

    public ValueTask RetrieveAsync(RequestContext context, CandidateList output, CancellationToken cancellationToken)
    {
        var list = Volatile.Read(ref _lists).Of(context.Segment);
        for (int r = 0; r < list.Ordinals.Length && !output.IsFull; r++)
        {
            int item = list.Ordinals[r];
            if (context.Allows(item))
                output.Add(item, list.Scores[r]);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Notes an item that had an event: the next refresh considers it for every segment.</summary>
    public void NoteEvent(int ordinal) => _touched.TryAdd(ordinal, 0);

    /// <summary>Re-ranks every segment's list with the store's decayed counters as of <paramref name="nowMs"/> (see the class summary).</summary>
    public async Task RefreshAsync(IFeatureStore store, long nowMs, CancellationToken cancellationToken = default)
    {
        var touched = new List<int>();
        foreach (int ordinal in _touched.Keys)
        {
            if (_touched.TryRemove(ordinal, out _))
                touched.Add(ordinal);
        }
        var current = Volatile.Read(ref _lists);
        var segments = new SegmentList?[Math.Max(current.Segments.Length, _catalog.Segments.Count)];
        try
        {
            var overall = await RerankAsync(store, current.Overall, -1, touched, nowMs, cancellationToken).ConfigureAwait(false);
            for (int s = 0; s < segments.Length; s++)
            {
                var list = s < current.Segments.Length ? current.Segments[s] : null;
                segments[s] = list is null && touched.Count == 0 ? null
                    : await RerankAsync(store, list ?? overall, s, touched, nowMs, cancellationToken).ConfigureAwait(false);
            }
            Volatile.Write(ref _lists, new Lists(overall, segments));
        }
        catch
        {
            // The lists stay as they were; the items that had events wait for the next refresh instead of being lost
            // from it (they would otherwise only come back with another event).
            foreach (int ordinal in touched)
                _touched.TryAdd(ordinal, 0);
            throw;
        }
    }

    private async Task<SegmentList> RerankAsync(IFeatureStore store, SegmentList list, int segment, List<int> touched, long nowMs, CancellationToken ct)
    {
        var pool = new List<int>(list.Ordinals.Length + touched.Count);
        var modelScore = new Dictionary<int, float>(pool.Capacity);
        for (int r = 0; r < list.Ordinals.Length; r++)
        {
            pool.Add(list.Ordinals[r]);
            modelScore[list.Ordinals[r]] = list.Scores[r];
        }
        foreach (int t in touched)
        {
            if (modelScore.TryAdd(t, 0))
                pool.Add(t);
        }
        var ids = new long[pool.Count];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = _catalog.Items.ExternalId(pool[i]);
        var counters = new double[ids.Length];
        await store.GetItemCountersAsync(ids, segment, nowMs, counters, ct).ConfigureAwait(false);
        double maxModel = 0, maxCounter = 0;
        foreach (float v in modelScore.Values)
            maxModel = Math.Max(maxModel, v);
        foreach (double c in counters)
            maxCounter = Math.Max(maxCounter, c);
        var combined = new float[pool.Count];
        for (int i = 0; i < combined.Length; i++)
        {
            double m = maxModel > 0 ? modelScore[pool[i]] / maxModel : 0;
            double c = maxCounter > 0 ? counters[i] / maxCounter : 0;
            combined[i] = (float)(m + c);
        }
        return Top(combined, pool);
    }

    private Lists Build()
    {
        int items = _model.ItemCount;
        var scores = new float[items];
        _model.ScoreSegment(null, scores);
        var overall = Top(scores, null);
        var keys = _model.Options.BySegment ? new HashSet<string>(_model.SegmentKeys, StringComparer.Ordinal) : [];
        var segments = new SegmentList?[_catalog.Segments.Count];
        for (int s = 0; s < segments.Length; s++)
        {
            string? key = _catalog.Segments.KeyOf(s);
            if (key is null || !keys.Contains(key))
                continue;
            _model.ScoreSegment(key, scores);
            segments[s] = Top(scores, null);
        }
        return new Lists(overall, segments);
    }

    /// <summary>The best pool-size entries of <paramref name="scores"/> (ordinals = positions, or <paramref name="ordinals"/>[position]).</summary>
    private SegmentList Top(float[] scores, List<int>? ordinals)
    {
        int take = Math.Min(_poolSize, scores.Length);
        var top = new int[take];
        int n = TopItems.Select(scores, top, new float[take], new long[take]);
        var ords = new int[n];
        var vals = new float[n];
        for (int r = 0; r < n; r++)
        {
            ords[r] = ordinals is null ? top[r] : ordinals[top[r]];
            vals[r] = scores[top[r]];
        }
        return new SegmentList(ords, vals);
    }

    private sealed record SegmentList(int[] Ordinals, float[] Scores);

    private sealed class Lists(SegmentList overall, SegmentList?[] segments)
    {
        public SegmentList Overall { get; } = overall;

        public SegmentList?[] Segments { get; } = segments;

        public SegmentList Of(int segment) => (uint)segment < (uint)Segments.Length && Segments[segment] is { } s ? s : Overall;
    }
}
