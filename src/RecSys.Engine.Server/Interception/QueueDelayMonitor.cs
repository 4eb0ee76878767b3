using System.Diagnostics;
using RecSys.Engine.Server.Diagnostics;

namespace RecSys.Engine.Server.Interception;

/// <summary>
/// Measures how long work waits in the thread pool's queue, the queue overload builds in: Kestrel hands every HTTP/2
/// stream to the pool, so on saturated cores a new call waits there before any interceptor runs, and a concurrency
/// limit counted in the interceptor never sees it (bench/results/slo-overload.md has the evidence).
/// <code>
///   monitor thread, every Period:   probe pending?  yes: delay = now - queued (a lower bound, still growing)
///                                                   no:  delay = the last probe's wait; queue a new probe
///   own work queueing = pool's pending work items &gt;= cores
///   over     = delay &gt; MaxQueueDelay and own work queueing;   Load = delay / LoadScale if own work queueing, else 0
///   Shedding = over for a whole ShedAfter (a standing queue, not a burst; StandingQueueDetector has the rule)
/// </code>
/// The probe is one work item (this object, no allocation) queued to the pool's global queue, the same FIFO Kestrel
/// queues streams on, so its wait is the wait a call arriving now meets. The monitor runs on a thread of its own: on
/// pool threads it would wait in the very queue it measures. The pending-work condition keeps CPU taken by other
/// processes (a loaded machine with an idle server) from shedding calls that refusals could not help: only when this
/// process's own work is queueing is refusing new calls (or shrinking them) what shortens the wait. Readers
/// (<see cref="Shedding"/>, <see cref="Load"/>, <see cref="DelayTicks"/>) pay one volatile read.
/// With an episode callback the monitor also samples the runtime at every look (GC pause, process CPU, pool threads;
/// the machine's CPU from /proc/stat every <see cref="MachineEvery"/> looks) and reports each run of refusals through
/// a <see cref="ShedEpisodeTracker"/>: what the second before it was spent on, progress while it lasts, and its end.
/// </summary>
public sealed class QueueDelayMonitor : IThreadPoolWorkItem, IDisposable
{
    /// <summary>How often the monitor looks: short against a 100 ms SLO, cheap (one wake-up and at most one work item).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(5);

    /// <summary>After shedding, how long a return over the limit sheds at once (without waiting a whole ShedAfter again).</summary>
    public static readonly TimeSpan RearmWindow = TimeSpan.FromSeconds(1);

    /// <summary>How often a long run of refusals is reported while it lasts.</summary>
    public static readonly TimeSpan EpisodeProgress = TimeSpan.FromSeconds(10);

    /// <summary>/proc/stat is read every this many looks (100 ms): a few tens of µs a read, too much for every 5 ms.</summary>
    public const int MachineEvery = 20;

    private readonly long _maxDelayTicks;
    private readonly long _loadScaleTicks;
    private StandingQueueDetector _standing;  // the monitor thread's alone
    private readonly int _minPending;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stop = new();
    private long _queuedAt;   // timestamp of the probe in the queue; 0 = none
    private long _lastWait;   // ticks the last probe waited
    private long _delay;      // the current estimate, ticks
    private long _ownDelay;   // the estimate while this process's work is queueing, else 0
    private volatile bool _shedding;
    private volatile bool _armed;
    private int _disposed;
    private readonly Action<ShedEpisodeReport>? _onEpisode;
    private readonly ShedEpisodeTracker? _episodes;     // the monitor thread's alone, like the reader below
    private readonly ProcStatReader? _procStat;
    private long _episodeCallbackFailures;

    /// <param name="maxDelay">Queue delay above which new calls are refused; positive.</param>
    /// <param name="shedAfter">How long the delay must stay over <paramref name="maxDelay"/> before calls are refused; zero = at once.</param>
    /// <param name="loadScale">The delay <see cref="Load"/> reads as 1 (Server:Admission:DegradeQueueDelay); default <paramref name="maxDelay"/>.</param>
    /// <param name="onEpisode">
    /// Called on the monitor thread when a run of refusals starts, goes on (every <see cref="EpisodeProgress"/>) and ends;
    /// null = no runtime sampling at all. Must be quick (it delays the next look); what it throws is counted and dropped.
    /// </param>
    /// <param name="armed">
    /// Whether it may shed from the start; false = it measures but never sheds until <see cref="Arm"/> (a server arms it
    /// once it listens: its own start-up work in the pool is not overload).
    /// </param>
    public QueueDelayMonitor(TimeSpan maxDelay, TimeSpan shedAfter = default, TimeSpan? loadScale = null, Action<ShedEpisodeReport>? onEpisode = null, bool armed = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(shedAfter, TimeSpan.Zero);
        TimeSpan scale = loadScale ?? maxDelay;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(scale, TimeSpan.Zero, nameof(loadScale));
        _maxDelayTicks = (long)(maxDelay.TotalSeconds * Stopwatch.Frequency);
        _loadScaleTicks = (long)(scale.TotalSeconds * Stopwatch.Frequency);
        LoadScale = scale;
        _standing = new StandingQueueDetector((long)(shedAfter.TotalSeconds * Stopwatch.Frequency), (long)(RearmWindow.TotalSeconds * Stopwatch.Frequency));
        ShedAfter = shedAfter;
        _minPending = Environment.ProcessorCount;
        MaxDelay = maxDelay;
        _armed = armed;
        if (onEpisode is not null)
        {
            _onEpisode = onEpisode;
            _episodes = new ShedEpisodeTracker(Period, RearmWindow, RearmWindow, EpisodeProgress);
            _procStat = new ProcStatReader();
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "recsys queue-delay monitor" };
        _thread.Start();
    }

    /// <summary>The configured threshold (Server:Admission:MaxQueueDelay).</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>How long the delay must stay over <see cref="MaxDelay"/> before calls are refused (Server:Admission:ShedAfter).</summary>
    public TimeSpan ShedAfter { get; }

    /// <summary>The delay at which <see cref="Load"/> reads 1 (Server:Admission:DegradeQueueDelay): what sources degrade against.</summary>
    public TimeSpan LoadScale { get; }

    /// <summary>
    /// True while new calls should be refused: the queue delay has been over <see cref="MaxDelay"/>, with this process's
    /// work queueing, for <see cref="ShedAfter"/> (or came back over it within <see cref="RearmWindow"/> of the last shedding).
    /// </summary>
    public bool Shedding => _shedding;

    /// <summary>The current queue delay estimate in <see cref="Stopwatch"/> ticks.</summary>
    public long DelayTicks => Volatile.Read(ref _delay);

    /// <summary>The current queue delay estimate in milliseconds.</summary>
    public double DelayMs => DelayTicks * 1000.0 / Stopwatch.Frequency;

    /// <summary>The queue delay as a share of <see cref="LoadScale"/> while this process's work is queueing; else 0.</summary>
    public double Load => (double)Volatile.Read(ref _ownDelay) / _loadScaleTicks;

    /// <summary>
    /// Whether it may shed. A server starts its monitor unarmed and arms it when it listens: start-up (JIT of the
    /// serving path, the pipeline's warm-up, Kestrel's start) keeps the few pool threads busy and blocked for hundreds of
    /// ms, and shedding then would refuse nothing useful while its rearm window refused the first calls at once.
    /// </summary>
    public bool Armed => _armed;

    /// <summary>Lets it shed from the next look on (idempotent).</summary>
    public void Arm() => _armed = true;

    /// <summary>Episode callbacks that threw (dropped; the monitor goes on).</summary>
    public long EpisodeCallbackFailures => Interlocked.Read(ref _episodeCallbackFailures);

    // The probe: runs on a pool thread when the queue reaches it.
    void IThreadPoolWorkItem.Execute()
    {
        long queued = Volatile.Read(ref _queuedAt);
        Volatile.Write(ref _lastWait, Stopwatch.GetTimestamp() - queued);
        Volatile.Write(ref _queuedAt, 0);
    }

    private void Run()
    {
        var machine = MachineCpuTimes.Unknown;
        for (long look = 0; !_stop.Wait(Period); look++)
        {
            long now = Stopwatch.GetTimestamp();
            long queued = Volatile.Read(ref _queuedAt);
            long delay;
            if (queued != 0)
            {
                delay = Math.Max(now - queued, Volatile.Read(ref _lastWait));
            }
            else
            {
                delay = Volatile.Read(ref _lastWait);
                Volatile.Write(ref _queuedAt, now);
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
            bool ownWork = ThreadPool.PendingWorkItemCount >= _minPending;
            Volatile.Write(ref _delay, delay);
            Volatile.Write(ref _ownDelay, ownWork ? delay : 0);
            bool shedding = _standing.Observe(now, _armed && ownWork && delay > _maxDelayTicks);
            _shedding = shedding;
            if (_episodes is not null)
            {
                if (look % MachineEvery == 0)
                    machine = _procStat!.Read();
                if (_episodes.Observe(RuntimeSample.Take(now, machine), shedding, delay) is { } report)
                {
                    try
                    {
                        _onEpisode!(report);
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref _episodeCallbackFailures); // a logging failure must not stop admission control
                    }
                }
            }
        }
    }

    /// <summary>Stops the monitor thread (idempotent); a stopped monitor never sheds.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Set();
        _thread.Join();
        _stop.Dispose();
        _procStat?.Dispose();
        _shedding = false;
        Volatile.Write(ref _ownDelay, 0);
    }
}
