namespace RecSys.Engine.LoadGen;

/// <summary>
/// The open-loop schedule: request <c>i</c> is due at <c>i / rate</c> seconds after the start, whatever happened to the
/// requests before it. A run is the warm-up requests (indexes <c>0 .. warm-1</c>, not measured) followed by the measured
/// ones, on one unbroken schedule. Times are in ticks of a clock with <c>ticksPerSecond</c> (Stopwatch ticks in a run).
/// </summary>
public static class LoadSchedule
{
    /// <summary>Requests due in <paramref name="span"/> at <paramref name="rate"/> per second: floor(rate x seconds).</summary>
    public static long Count(double rate, TimeSpan span)
    {
        // The small epsilon keeps 0.1 s x 50 rps at 5, not 4.999... -> 4.
        return (long)Math.Floor(rate * span.TotalSeconds + 1e-9);
    }

    /// <summary>When request <paramref name="index"/> is due, in ticks after the start.</summary>
    public static long DueTicks(long index, double rate, long ticksPerSecond) => (long)Math.Round(index * (ticksPerSecond / rate));

    /// <summary>
    /// The latency of one request: from when it was due, not from when it went out. A request that waited (the
    /// generator was late, or every connection slot was busy behind a slow answer) carries that wait, as a user would
    /// have seen it; measuring from the send instead hides exactly the stalls the tail is about (coordinated omission).
    /// </summary>
    public static long LatencyTicks(long dueTicks, long completedTicks) => Math.Max(0, completedTicks - dueTicks);
}
