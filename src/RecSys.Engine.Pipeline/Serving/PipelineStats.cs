using System.Collections.Concurrent;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>Counters of a pipeline since it started, readable at run time (the server exports them as metrics).</summary>
public sealed class PipelineStats
{
    private readonly ConcurrentDictionary<string, SourceCounters> _sources = new(StringComparer.Ordinal);
    internal long _requests;
    internal long _events;
    internal long _foldIns;
    internal long _degraded;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Events recorded through <see cref="RecommendationPipeline.RecordEventsAsync"/>.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>User CF vectors folded in after events.</summary>
    public long FoldIns => Interlocked.Read(ref _foldIns);

    /// <summary>Requests whose sources ran degraded (fewer candidates, narrower beams) because the host was busy.</summary>
    public long Degraded => Interlocked.Read(ref _degraded);

    /// <summary>The counters of source <paramref name="name"/> (zeros when it never ran).</summary>
    public SourceCounters Source(string name) => _sources.GetOrAdd(name, static _ => new SourceCounters());

    public IReadOnlyDictionary<string, SourceCounters> Sources => _sources;
}
