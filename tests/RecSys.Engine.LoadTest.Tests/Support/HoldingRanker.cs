using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Ranking;

namespace RecSys.Engine.LoadTest.Tests.Support;

/// <summary>
/// A ranker that, while <see cref="Holding"/>, keeps every call until the call's own token fires (its deadline): the
/// server stays saturated for as long as a test wants, with no sleeps. Counts the most calls it held at once. Not
/// holding, it ranks as the rank-fusion fallback.
/// </summary>
public sealed class HoldingRanker : IRanker
{
    private readonly ReciprocalRankFusionRanker _fallback = new();
    private int _held;
    private int _mostHeld;

    public volatile bool Holding;

    public string Name => "holding";

    public bool NeedsFeatures => false;

    /// <summary>The most calls held at the same time.</summary>
    public int MostHeld => Volatile.Read(ref _mostHeld);

    public async ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
    {
        if (Holding)
        {
            int now = Interlocked.Increment(ref _held);
            int seen;
            while (now > (seen = Volatile.Read(ref _mostHeld)) && Interlocked.CompareExchange(ref _mostHeld, now, seen) != seen)
            {
            }
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }
        await _fallback.ScoreAsync(input, scores, cancellationToken);
    }
}
