namespace RecSys.Engine.Features.Records;

/// <summary>
/// An exponentially time-decayed sum: each added value loses half its weight every half-life.
/// The state is (score as of <see cref="LastUpdateMs"/>, that time). Updates use the event's own timestamp,
/// never the wall clock, so replaying the write-ahead log gives bit-identical counters.
/// </summary>
public readonly record struct DecayedCounter(double Score, long LastUpdateMs)
{
    public DecayedCounter Add(double value, long timestampMs, double halfLifeMs)
    {
        if (Score == 0 && LastUpdateMs == 0)
            return new DecayedCounter(value, timestampMs);
        if (timestampMs >= LastUpdateMs)
            return new DecayedCounter(Score * Decay(timestampMs - LastUpdateMs, halfLifeMs) + value, timestampMs);
        // A late event: decay the value to the counter's time instead of moving the counter back.
        return new DecayedCounter(Score + value * Decay(LastUpdateMs - timestampMs, halfLifeMs), LastUpdateMs);
    }

    /// <summary>The score as of <paramref name="nowMs"/> (no growth for a time before the last update).</summary>
    public double ValueAt(long nowMs, double halfLifeMs) =>
        nowMs <= LastUpdateMs ? Score : Score * Decay(nowMs - LastUpdateMs, halfLifeMs);

    private static double Decay(long elapsedMs, double halfLifeMs) => Math.Pow(2.0, -elapsedMs / halfLifeMs);
}
