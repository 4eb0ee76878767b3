using System.Diagnostics;
using RecSys.Engine.Server.Diagnostics;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// How looks become episodes of refusals, and what each report says of the time before and during one; driven with
/// hand-made samples 5 ms apart (no clock, no thread pool).
/// </summary>
public sealed class ShedEpisodeTrackerTests
{
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(5);
    private static readonly long LookTicks = Stopwatch.Frequency / 200;

    /// <summary>A process that, per look, uses <see cref="CpuPerLook"/> of CPU; GC pauses and pool threads set per test.</summary>
    private sealed class Timeline
    {
        public long Now = 1_000_000;
        public TimeSpan Gc, Cpu;
        public int Gen0, Gen1, Gen2, Threads = 2;
        public double MachineBusy, Steal;
        public TimeSpan CpuPerLook = TimeSpan.FromMilliseconds(5); // one core's worth
        public double MachineBusyPerLook = 0.01;                   // two cores' worth (s per 5 ms look)

        public RuntimeSample Next(long pending = 0)
        {
            Now += LookTicks;
            Cpu += CpuPerLook;
            MachineBusy += MachineBusyPerLook;
            return new RuntimeSample(Now, Gc, Gen0, Gen1, Gen2, Cpu, Threads, pending, new MachineCpuTimes(MachineBusy, 100, 0, Steal));
        }
    }

    private static ShedEpisodeTracker Tracker() => new(Look, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

    private static long Ms(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    [Fact]
    public void Without_refusals_nothing_is_reported()
    {
        var t = new Timeline();
        var tracker = Tracker();
        for (int i = 0; i < 1000; i++)
            Assert.Null(tracker.Observe(t.Next(), shedding: false, Ms(30))); // a long delay alone is not an episode
        Assert.False(tracker.InEpisode);
    }

    [Fact]
    public void A_start_reports_the_second_before_it_the_gc_pauses_cpu_and_pool_threads_in_it()
    {
        var t = new Timeline();
        var tracker = Tracker();
        for (int i = 0; i < 400; i++) // 2 s of history, more than the ring keeps
            Assert.Null(tracker.Observe(t.Next(), false, 0));
        // In the last second: a gen1 collection pausing 40 ms (one look), then a gen0 one pausing 3 ms, a third pool thread.
        for (int i = 0; i < 199; i++)
        {
            if (i == 50) { t.Gc += TimeSpan.FromMilliseconds(40); t.Gen0++; t.Gen1++; }
            if (i == 120) { t.Gc += TimeSpan.FromMilliseconds(3); t.Gen0++; }
            if (i == 150) t.Threads = 3;
            if (i == 190) t.CpuPerLook = TimeSpan.FromMilliseconds(10); // both cores busy for the last 50 ms
            Assert.Null(tracker.Observe(t.Next(), false, Ms(12)));
        }
        var report = tracker.Observe(t.Next(pending: 37), shedding: true, Ms(23));

        Assert.NotNull(report);
        var r = report.Value;
        Assert.Equal(ShedEpisodePhase.Started, r.Phase);
        Assert.Equal(23, r.DelayMs, 3);
        Assert.Equal(37, r.Pending);
        Assert.Equal(1.0, r.Window.Span.TotalSeconds, 3);                 // 200 looks back, exactly the lookback
        Assert.Equal(TimeSpan.FromMilliseconds(43), r.Window.GcPause);
        Assert.Equal(TimeSpan.FromMilliseconds(40), r.Window.LongestGcStep);
        Assert.Equal((1, 1, 0), (r.Window.Gen0, r.Window.Gen1, r.Window.Gen2)); // one gen0-only, one gen1
        Assert.Equal((2, 3), (r.Window.PoolThreadsFrom, r.Window.PoolThreadsTo));
        Assert.Equal(1.05, r.Window.ProcessCores, 3);                     // 190 looks at one core, 10 at two
        Assert.Equal(2.0, r.Window.MachineBusyCores, 3);
        Assert.Equal(0.0, r.Window.StealCores, 3);
        Assert.True(tracker.InEpisode);
        Assert.Contains("this process used 1.05 of 2 cores, the machine 2.00 (steal 0.00, I/O wait 0.00); GC paused 43 ms in 2 collections (gen0 1, gen1 1, gen2 0; longest 40 ms); pool threads 2 -> 3",
            r.Window.Describe(2));
        // The last 100 ms alone: where the queue built, both cores busy half of it, no GC, no new thread.
        Assert.Equal(0.1, r.Recent.Span.TotalSeconds, 3);
        Assert.Equal(1.5, r.Recent.ProcessCores, 3);                      // 10 looks at one core, 10 at two
        Assert.Equal(TimeSpan.Zero, r.Recent.GcPause);
        Assert.Equal((3, 3), (r.Recent.PoolThreadsFrom, r.Recent.PoolThreadsTo));
        Assert.Equal("this process used 1.50 of 2 cores; no GC; pool threads 3 -> 3", r.Recent.Describe(2)); // machine: window too short
    }

    [Fact]
    public void A_start_with_little_history_looks_back_as_far_as_it_has()
    {
        var t = new Timeline();
        var tracker = Tracker();
        for (int i = 0; i < 10; i++)
            tracker.Observe(t.Next(), false, 0);
        var r = tracker.Observe(t.Next(), true, Ms(15))!.Value;
        Assert.Equal(ShedEpisodePhase.Started, r.Phase);
        Assert.Equal(0.050, r.Window.Span.TotalSeconds, 4); // 10 looks
        Assert.True(double.IsNaN(r.Window.MachineBusyCores)); // under half a second: the machine's reading is too coarse
        Assert.DoesNotContain("the machine", r.Window.Describe(2));
    }

    [Fact]
    public void Refusals_that_resume_within_the_quiet_interval_are_one_episode_which_ends_after_a_quiet_second()
    {
        var t = new Timeline { Threads = 4 };
        var tracker = Tracker();
        tracker.Observe(t.Next(), false, 0);
        Assert.Equal(ShedEpisodePhase.Started, tracker.Observe(t.Next(), true, Ms(20))!.Value.Phase);
        for (int i = 0; i < 19; i++) // 100 ms refusing in all, peak 80 ms, a 25 ms GC in it
        {
            if (i == 5) { t.Gc += TimeSpan.FromMilliseconds(25); t.Gen0++; t.Gen1++; t.Gen2++; }
            Assert.Null(tracker.Observe(t.Next(), true, Ms(i == 9 ? 80 : 20)));
        }
        for (int i = 0; i < 100; i++) // half a second under the limit
            Assert.Null(tracker.Observe(t.Next(), false, Ms(2)));
        t.Threads = 6;
        for (int i = 0; i < 20; i++) // back over it: the same episode, no new start
            Assert.Null(tracker.Observe(t.Next(), true, Ms(30)));
        ShedEpisodeReport? end = null;
        int quietLooks = 0;
        while (end is null)
        {
            end = tracker.Observe(t.Next(), false, Ms(1));
            quietLooks++;
            Assert.True(quietLooks <= 200, "no end within a second of quiet");
        }
        var r = end.Value;
        Assert.Equal(200, quietLooks); // exactly the quiet interval after the last refusing look
        Assert.Equal(ShedEpisodePhase.Ended, r.Phase);
        Assert.False(tracker.InEpisode);
        // First refusing look to last: 20 + 100 + 20 looks, minus one, plus the last look's own 5 ms.
        Assert.Equal(0.700, r.Duration.TotalSeconds, 4);
        Assert.Equal(80, r.PeakDelayMs, 3);
        Assert.Equal(TimeSpan.FromMilliseconds(25), r.Window.GcPause);
        Assert.Equal(TimeSpan.FromMilliseconds(25), r.Window.LongestGcStep);
        Assert.Equal((0, 0, 1), (r.Window.Gen0, r.Window.Gen1, r.Window.Gen2));
        Assert.Equal((4, 6), (r.Window.PoolThreadsFrom, r.Window.PoolThreadsTo));

        // A new episode after it starts afresh.
        Assert.Equal(ShedEpisodePhase.Started, tracker.Observe(t.Next(), true, Ms(20))!.Value.Phase);
    }

    [Fact]
    public void A_long_episode_reports_progress_every_interval_with_the_window_since_the_last_report()
    {
        var t = new Timeline { CpuPerLook = TimeSpan.FromMilliseconds(9), Steal = 0 };
        var tracker = Tracker();
        tracker.Observe(t.Next(), true, Ms(20));
        var reports = new List<ShedEpisodeReport>();
        for (int i = 0; i < 200 * 25; i++) // 25 s of refusing
        {
            if (i == 1000) t.Gc += TimeSpan.FromMilliseconds(7);
            if (tracker.Observe(t.Next(), true, Ms(i == 3000 ? 90 : 20)) is { } r)
                reports.Add(r);
        }
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal(ShedEpisodePhase.Continuing, r.Phase));
        Assert.Equal(10.0, reports[0].Window.Span.TotalSeconds, 3);
        Assert.Equal(10.005, reports[0].Duration.TotalSeconds, 3);
        Assert.Equal(TimeSpan.FromMilliseconds(7), reports[0].Window.GcPause);
        Assert.Equal(20, reports[0].PeakDelayMs, 3);
        Assert.Equal(1.8, reports[0].Window.ProcessCores, 3);
        Assert.Equal(TimeSpan.Zero, reports[1].Window.GcPause);        // the second window starts after the first report
        Assert.Equal(90, reports[1].PeakDelayMs, 3);
        Assert.Equal(20.005, reports[1].Duration.TotalSeconds, 3);
    }

    [Fact]
    public void Without_a_machine_reading_the_description_leaves_the_machine_out()
    {
        var first = new RuntimeSample(0, TimeSpan.Zero, 0, 0, 0, TimeSpan.Zero, 2, 0, MachineCpuTimes.Unknown);
        var to = first with { Timestamp = Stopwatch.Frequency, ProcessCpu = TimeSpan.FromSeconds(1.5), PoolThreads = 5 };
        var w = RuntimeWindow.Between(first, to, TimeSpan.Zero);
        Assert.True(double.IsNaN(w.MachineBusyCores));
        Assert.Equal("this process used 1.50 of 2 cores; no GC; pool threads 2 -> 5", w.Describe(2));
    }

    [Fact]
    public void A_window_of_a_few_ms_is_described_as_too_short_to_measure()
    {
        var first = new RuntimeSample(0, TimeSpan.Zero, 0, 0, 0, TimeSpan.Zero, 4, 0, MachineCpuTimes.Unknown);
        var w = RuntimeWindow.Between(first, first with { Timestamp = Stopwatch.Frequency / 200 }, TimeSpan.Zero);
        Assert.Equal("too short (5 ms) to measure; pool threads 4 -> 4", w.Describe(2));
    }

    [Fact]
    public void Bad_intervals_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShedEpisodeTracker(TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShedEpisodeTracker(Look, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromSeconds(1)));
    }
}
