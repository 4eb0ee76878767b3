namespace RecSys.Engine.Pipeline.Serving;

/// <summary>How a source fared across requests (read at run time for metrics).</summary>
public sealed class SourceCounters
{
    internal long _runs;
    internal long _failures;
    internal long _timeouts;

    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Runs dropped because the source threw.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Runs dropped because the source ran out of its time budget.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);
}
