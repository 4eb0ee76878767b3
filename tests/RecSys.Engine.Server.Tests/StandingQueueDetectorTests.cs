using RecSys.Engine.Server.Interception;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// The rule that tells a standing queue from a burst, driven with hand-made timestamps (one tick = 1 ms here):
/// interval 100, rearm window 1,000, looks every 5.
/// </summary>
public sealed class StandingQueueDetectorTests
{
    private const long Interval = 100, Rearm = 1_000, Step = 5;

    /// <summary>Looks every <see cref="Step"/> from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive); returns the first time it shed, or -1.</summary>
    private static long Run(ref StandingQueueDetector d, long from, long to, bool over)
    {
        long first = -1;
        for (long t = from; t < to; t += Step)
        {
            if (d.Observe(t, over) && first < 0)
                first = t;
        }
        return first;
    }

    [Fact]
    public void A_burst_shorter_than_the_interval_is_never_shed()
    {
        var d = new StandingQueueDetector(Interval, Rearm);
        Run(ref d, 1, 200, over: false);
        Assert.Equal(-1, Run(ref d, 200, 295, over: true));   // 95 ticks over the limit: under the interval
        Assert.Equal(-1, Run(ref d, 295, 400, over: false));
        Assert.Equal(-1, Run(ref d, 400, 495, over: true));   // another one: the clock restarted at the look under
        Assert.False(d.Shedding);
    }

    [Fact]
    public void A_standing_queue_is_shed_once_it_has_lasted_the_interval_and_no_longer_after_a_look_under()
    {
        var d = new StandingQueueDetector(Interval, Rearm);
        Assert.Equal(300, Run(ref d, 200, 400, over: true)); // over since 200: shed from 300 on, every look
        Assert.True(d.Shedding);
        Assert.False(d.Observe(400, over: false));
        Assert.False(d.Shedding);
    }

    [Fact]
    public void Coming_back_over_the_limit_within_the_rearm_window_sheds_at_once_and_after_it_waits_the_interval_again()
    {
        var d = new StandingQueueDetector(Interval, Rearm);
        Assert.Equal(105, Run(ref d, 5, 200, over: true));    // over since 5; the last look that shed: 195
        Run(ref d, 200, 300, over: false);
        Assert.True(d.Observe(300, over: true));              // 105 after the last shed: at once
        Run(ref d, 305, 2_000, over: false);
        Assert.Equal(2_100, Run(ref d, 2_000, 2_200, over: true)); // 1,700 after it: a whole interval first
    }

    [Fact]
    public void With_a_zero_interval_the_first_look_over_the_limit_sheds()
    {
        var d = new StandingQueueDetector(0, Rearm);
        Assert.False(d.Observe(10, over: false));
        Assert.True(d.Observe(15, over: true));
    }
}
