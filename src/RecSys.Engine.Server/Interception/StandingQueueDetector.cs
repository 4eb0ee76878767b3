namespace RecSys.Engine.Server.Interception;

/// <summary>
/// Tells a standing queue (overload: refuse new calls) from a burst the server drains by itself (a GC, a clump of
/// arrivals: refusing then only turns a slow call into a failed one). The idea is CoDel's: the delay has to stay over
/// the limit for a whole interval before shedding starts, and shedding stops at the first look under the limit.
/// <code>
///   over the limit since t0, now - t0 &gt;= interval     -> shed        (a standing queue)
///   over the limit, shed within the last rearm window -> shed at once (the overload is back: do not let a full
///                                                         interval of calls in before refusing again)
///   under the limit                                   -> admit; t0 forgotten
/// </code>
/// Without the rearm rule a server under sustained overload would alternate: shedding drains the queue, the first look
/// under the limit stops it, and a whole interval of arrivals queues before it starts again. Plain state, no clock of
/// its own: the monitor thread is its only caller and passes the time, so tests drive it with hand-made timestamps.
/// </summary>
internal struct StandingQueueDetector
{
    private readonly long _interval;
    private readonly long _rearm;
    private long _overSince;    // when the current run of looks over the limit began; 0 = not over
    private long _lastShedAt;   // the last look that shed; 0 = never
    private bool _shedding;

    /// <param name="intervalTicks">How long the delay must stay over the limit before shedding starts; 0 = at once.</param>
    /// <param name="rearmTicks">After shedding, how long a return over the limit sheds at once.</param>
    public StandingQueueDetector(long intervalTicks, long rearmTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(intervalTicks);
        ArgumentOutOfRangeException.ThrowIfNegative(rearmTicks);
        _interval = intervalTicks;
        _rearm = rearmTicks;
    }

    /// <summary>Whether the last look said to shed.</summary>
    public readonly bool Shedding => _shedding;

    /// <summary>One look at time <paramref name="now"/> (positive, not decreasing): is the delay over the limit? Returns whether to shed.</summary>
    public bool Observe(long now, bool over)
    {
        if (!over)
        {
            _overSince = 0;
            _shedding = false;
            return false;
        }
        if (_overSince == 0)
            _overSince = now;
        bool rearmed = _lastShedAt != 0 && now - _lastShedAt <= _rearm;
        _shedding = rearmed || now - _overSince >= _interval;
        if (_shedding)
            _lastShedAt = now;
        return _shedding;
    }
}
