using System.Diagnostics;
using FASTER.core;
using RecSys.Engine.Features.Faster;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>The checkpoint report's phase line: which FASTER phase a slow checkpoint spent its time in.</summary>
public sealed class CheckpointPhaseTraceTests
{
    private static long At(double ms) => 1_000_000 + (long)(ms * Stopwatch.Frequency / 1000);

    [Fact]
    public void Each_phase_lasts_until_the_next_is_seen_and_the_wait_after_rest_is_the_callers()
    {
        // What a slow fold-over looked like in the server: the metadata write held "leaving WAIT_FLUSH".
        (Phase, long)[] seen =
        [
            (Phase.REST | Phase.INTERMEDIATE, At(4)), (Phase.PREPARE, At(8)), (Phase.IN_PROGRESS, At(13)),
            (Phase.WAIT_FLUSH, At(15)), (Phase.WAIT_FLUSH | Phase.INTERMEDIATE, At(33)), (Phase.REST, At(710)),
        ];
        string text = CheckpointPhaseTrace.Describe(seen, At(0), At(713));
        Assert.Equal("first phase after 4 ms, leaving REST 4, PREPARE 5, IN_PROGRESS 2, WAIT_FLUSH 18, leaving WAIT_FLUSH 677, then 3 ms to the caller", text);
    }

    [Fact]
    public void A_trace_that_never_saw_rest_or_any_phase_says_so()
    {
        Assert.Equal("phases not seen (shorter than a sample)", CheckpointPhaseTrace.Describe([], At(0), At(2)));
        string text = CheckpointPhaseTrace.Describe([(Phase.WAIT_FLUSH, At(1))], At(0), At(9));
        Assert.Equal("first phase after 1 ms, WAIT_FLUSH 8, rest not seen before the caller resumed", text);
    }
}
