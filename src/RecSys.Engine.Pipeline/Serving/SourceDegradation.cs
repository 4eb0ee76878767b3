using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// Sources degrade before requests fail: under load every source of a request is asked for fewer candidates and
/// searches with a narrower beam, so each request costs less while the host still admits it (past its limit the host
/// refuses calls outright). The gRPC server's load is the larger of its calls in flight / MaxConcurrentCalls and its
/// thread-pool queue delay / DegradeQueueDelay, so under CPU overload (where the queue, not the calls in flight, grows) the
/// sources shrink as soon as a queue forms, well before the point of refusals. The rule, read once per request from the host's
/// <see cref="ILoadSignal"/>:
/// <code>
///   load &lt;= Above          share = 1 (untouched)
///   Above &lt; load &lt; 1      share = 1 - (1 - MinShare) * (load - Above) / (1 - Above), rounded up to 1/16
///   load &gt;= 1             share = MinShare
///   count' = max(1, ceil(count * share))                          every source
///   ef'    = max(1, ceil((ef ?? index default) * share))         HNSW (the index still raises ef to the count it is asked)
///   nprobe'= max(1, ceil(index default nprobe * share))          IVF-PQ (and its centroid graph's ef, when configured)
/// </code>
/// The share is rounded up to sixteenths so that a busy server reuses a few search-parameter objects per pooled
/// request instead of making one per source and request.
/// </summary>
public sealed class SourceDegradation
{
    private const float Step = 16f;

    private readonly ILoadSignal _signal;

    /// <param name="signal">The host's load.</param>
    /// <param name="above">Load (share of the limit) above which sources shrink; in (0, 1].</param>
    /// <param name="minShare">The share sources keep at the limit; in (0, 1].</param>
    public SourceDegradation(ILoadSignal signal, double above, double minShare)
    {
        _signal = signal ?? throw new ArgumentNullException(nameof(signal));
        if (!(above > 0 && above <= 1))
            throw new ArgumentOutOfRangeException(nameof(above), above, "must be in (0, 1]");
        if (!(minShare > 0 && minShare <= 1))
            throw new ArgumentOutOfRangeException(nameof(minShare), minShare, "must be in (0, 1]");
        Above = above;
        MinShare = minShare;
    }

    public double Above { get; }

    public double MinShare { get; }

    /// <summary>The share of their counts and beams the sources of a request starting now get.</summary>
    public float CurrentShare() => ShareAt(_signal.Load, Above, MinShare);

    /// <summary>The rule above for one load value.</summary>
    public static float ShareAt(double load, double above, double minShare)
    {
        if (!(load > above))
            return 1f;
        double share = load >= 1 ? minShare : 1 - (1 - minShare) * (load - above) / (1 - above);
        return Math.Min(1f, MathF.Ceiling((float)share * Step) / Step);
    }

    /// <summary>A count or beam scaled by <paramref name="share"/>: at least 1, rounded up.</summary>
    public static int Scale(int value, float share) => share >= 1f ? value : Math.Max(1, (int)MathF.Ceiling(value * share));

    /// <summary>The ef and nprobe a source searching <paramref name="index"/> with configured <paramref name="ef"/> uses at <paramref name="share"/>.</summary>
    public static (int? Ef, int? NProbe) Beams(int? ef, IVectorIndex index, float share)
    {
        if (share >= 1f)
            return (ef, null);
        return index switch
        {
            HnswIndex hnsw => (Scale(ef ?? hnsw.Options.EfSearch, share), null),
            IvfPqIndex ivf => (ef is { } e ? Scale(e, share) : null, Scale(ivf.Options.DefaultNProbe, share)),
            _ => (ef, null), // exact scans have no beam
        };
    }
}
