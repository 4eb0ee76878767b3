using System.Collections.Concurrent;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>Counters of a pipeline since it started, readable at run time (the server exports them as metrics).</summary>
public sealed class PipelineStats
{
    private readonly ConcurrentDictionary<string, SourceCounters> _sources = new(StringComparer.Ordinal);
    internal long _requests;
    internal long _events;
    internal long _foldIns;
    internal long _itemFoldIns;
    internal long _itemFoldInsDeferred;
    internal long _degraded;
    internal long _attributedClicks;
    internal long _unattributedClicks;
    internal long _impressionsWithoutSurface;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Impressions recorded whose value named no surface of a serving version: kept as impressions of no surface (value 0).</summary>
    public long ImpressionsWithoutSurface => Interlocked.Read(ref _impressionsWithoutSurface);

    /// <summary>Events recorded through <see cref="RecommendationPipeline.RecordEventsAsync"/>.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>User CF vectors folded in after events.</summary>
    public long FoldIns => Interlocked.Read(ref _foldIns);

    /// <summary>CF rows folded in for items added after training, from their users (a serving model each).</summary>
    public long ItemFoldIns => Interlocked.Read(ref _itemFoldIns);

    /// <summary>
    /// Item fold-ins put off (the catalog writes were held past <see cref="PipelineOptions.ItemFoldInWait"/>) or failed (a
    /// store read): each is done at the item's next event.
    /// </summary>
    public long ItemFoldInsDeferred => Interlocked.Read(ref _itemFoldInsDeferred);

    /// <summary>Requests whose sources ran degraded (fewer candidates, narrower beams) because the host was busy.</summary>
    public long Degraded => Interlocked.Read(ref _degraded);

    /// <summary>Clicks and purchases credited to an experiment variant through their request id.</summary>
    public long AttributedClicks => Interlocked.Read(ref _attributedClicks);

    /// <summary>
    /// Clicks and purchases with a request id that no remembered experiment response of that user showing that item has
    /// (never served under an experiment, or fallen out of the attribution window): recorded, not attributed.
    /// </summary>
    public long UnattributedClicks => Interlocked.Read(ref _unattributedClicks);

    /// <summary>The counters of source <paramref name="name"/> (zeros when it never ran).</summary>
    public SourceCounters Source(string name) => _sources.GetOrAdd(name, static _ => new SourceCounters());

    public IReadOnlyDictionary<string, SourceCounters> Sources => _sources;
}
