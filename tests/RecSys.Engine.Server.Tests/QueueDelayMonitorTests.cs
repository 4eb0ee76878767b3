using RecSys.Engine.Server.Interception;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// The monitor's two thresholds are apart: <see cref="QueueDelayMonitor.Shedding"/> follows MaxQueueDelay (the
/// shedding target) and <see cref="QueueDelayMonitor.Load"/>, what sources degrade by, is measured against
/// DegradeQueueDelay. Over the real thread pool, flooded by a <see cref="ThreadPoolHog"/>; no time is asserted, only
/// what the monitor reads while the queue is long. In the overload collection: the hog floods the whole process's pool.
/// </summary>
[Collection(nameof(OverloadTests))]
public sealed class QueueDelayMonitorTests
{
    private static readonly TimeSpan Eventually = TimeSpan.FromMinutes(2);

    [Fact]
    public void The_load_scale_defaults_to_the_shedding_target_and_must_be_positive()
    {
        using (var monitor = new QueueDelayMonitor(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(100)))
        {
            Assert.Equal(TimeSpan.FromMilliseconds(5), monitor.LoadScale);
            Assert.Equal(TimeSpan.FromMilliseconds(100), monitor.ShedAfter);
        }
        using (var monitor = new QueueDelayMonitor(TimeSpan.FromMilliseconds(5), TimeSpan.Zero, TimeSpan.FromMilliseconds(20)))
            Assert.Equal(TimeSpan.FromMilliseconds(20), monitor.LoadScale);
        Assert.Throws<ArgumentOutOfRangeException>(() => new QueueDelayMonitor(TimeSpan.FromMilliseconds(5), TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public void A_long_queue_reads_as_full_load_against_the_degrade_scale_while_a_far_higher_shedding_target_does_not_shed()
    {
        // Shedding target 10 s: the hog's queue (a few seconds at most) never reaches it. Load scale 20 ms: it does at once.
        using var monitor = new QueueDelayMonitor(TimeSpan.FromSeconds(10), TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        var hog = new ThreadPoolHog(items: 1000, holdMs: 2);
        try
        {
            var until = DateTime.UtcNow + Eventually;
            bool seen = false;
            while (!seen && DateTime.UtcNow < until)
            {
                double load = monitor.Load;
                seen = load >= 1 && !monitor.Shedding && monitor.DelayMs < 10_000;
                if (!seen)
                    Thread.Sleep(10);
            }
            Assert.True(seen, $"no look with load >= 1 and no shedding within {Eventually} (load {monitor.Load:F2}, delay {monitor.DelayMs:F0} ms, shedding {monitor.Shedding})");
        }
        finally
        {
            hog.Stop();
        }
    }

    [Fact]
    public void An_unarmed_monitor_measures_a_long_queue_but_sheds_only_once_armed()
    {
        using var monitor = new QueueDelayMonitor(TimeSpan.FromMilliseconds(5), TimeSpan.Zero, armed: false);
        Assert.False(monitor.Armed);
        var hog = new ThreadPoolHog(items: 1000, holdMs: 2);
        try
        {
            // Unarmed: a queue far over the limit, seen for a while, never sheds.
            var until = DateTime.UtcNow + Eventually;
            int looksOver = 0;
            while (looksOver < 50 && DateTime.UtcNow < until)
            {
                if (monitor.DelayMs > 50)
                    looksOver++;
                Assert.False(monitor.Shedding, $"shedding while unarmed (delay {monitor.DelayMs:F0} ms)");
                Thread.Sleep(10);
            }
            Assert.True(looksOver >= 50, $"the queue never stayed long within {Eventually} (delay {monitor.DelayMs:F0} ms)");

            monitor.Arm();
            Assert.True(monitor.Armed);
            until = DateTime.UtcNow + Eventually;
            while (!monitor.Shedding && DateTime.UtcNow < until)
                Thread.Sleep(5);
            Assert.True(monitor.Shedding, $"armed, no shedding within {Eventually} (delay {monitor.DelayMs:F0} ms)");
        }
        finally
        {
            hog.Stop();
        }
    }
}
