using Microsoft.Extensions.Logging;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Server.Diagnostics;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Interception;

/// <summary>
/// Admission control in front of the pipeline, two signals, both checked at once for every call (no queue):
/// <code>
///   queue delay &gt; MaxQueueDelay for ShedAfter (this process's work queueing) -> refused, QueueDelay  (QueueDelayMonitor)
///   calls in flight would pass MaxConcurrentCalls                    -> refused, ConcurrencyLimit
///   otherwise admitted; Exit when the call ends
/// </code>
/// The queue delay is the signal that trips under CPU overload: there the queue builds in the thread pool, in front of
/// any interceptor, and calls in flight stay under the limit (bench/results/slo-overload.md). Lock-free and
/// allocation-free: one volatile read, then one interlocked add to enter and one to leave. Counts what it refused, for
/// metrics and GetStats. Its load, the larger of (in flight / limit) and (queue delay / DegradeQueueDelay), is what
/// the pipeline's sources degrade by, so they shrink as a queue grows. Each run of refusals for queue delay is logged
/// when it starts (with what the second before was spent on: CPU, GC, pool threads), every 10 s while it lasts, and when
/// it ends (how many were refused): <see cref="Diagnostics.ShedEpisodeTracker"/>.
/// </summary>
public sealed partial class AdmissionControl : ILoadSignal, IDisposable
{
    private readonly int _limit;
    private readonly QueueDelayMonitor? _queue;
    private long _inFlight;
    private long _rejectedLimit;
    private long _rejectedQueueDelay;
    // The monitor thread's alone. No call is refused between an episode's end and the next one's first refusing look,
    // so the count at the last end is the next episode's start: a call refused between the look that starts shedding
    // and the Started report still counts in that episode.
    private long _refusedAtEpisodeStart;
    private long _refusedAtLastReport;
    private long _episodes;
    private int _logsQueued;
    private volatile ILogger? _logger;

    internal AdmissionControl(AdmissionOptions options)
    {
        _limit = options.MaxConcurrentCalls;
        _queue = options.MaxQueueDelay > TimeSpan.Zero
            ? new QueueDelayMonitor(options.MaxQueueDelay, options.ShedAfter, options.DegradeQueueDelay, OnEpisode, armed: false)
            : null;
    }

    /// <summary>Lets the queue-delay signal refuse calls: the server calls it once it listens (<see cref="QueueDelayMonitor.Arm"/> says why not before).</summary>
    internal void Arm() => _queue?.Arm();

    /// <summary>Where runs of refusals are logged; set once the host's logging exists (until then they are counted only).</summary>
    internal ILogger? Logger
    {
        get => _logger;
        set => _logger = value;
    }

    /// <summary>Runs of refusals for queue delay since start (each one logged when it starts and when it ends).</summary>
    public long QueueDelayEpisodes => Interlocked.Read(ref _episodes);

    /// <summary>The limit (0 = none).</summary>
    public int Limit => _limit;

    /// <summary>The queue-delay monitor; null when Server:Admission:MaxQueueDelay is 0 (off).</summary>
    public QueueDelayMonitor? QueueDelay => _queue;

    /// <summary>Calls admitted and not yet finished.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>
    /// The larger of calls in flight as a share of the limit (the call asking counts itself) and the queue delay as a
    /// share of DegradeQueueDelay; 0 without either signal.
    /// </summary>
    public double Load => Math.Max(_limit == 0 ? 0 : (double)InFlight / _limit, _queue?.Load ?? 0);

    /// <summary>Calls refused since start, for either reason.</summary>
    public long Rejected => RejectedConcurrencyLimit + RejectedQueueDelay;

    /// <summary>Calls refused since start because <see cref="Limit"/> calls were in flight.</summary>
    public long RejectedConcurrencyLimit => Interlocked.Read(ref _rejectedLimit);

    /// <summary>Calls refused since start because of the queue delay (part of <see cref="Rejected"/>).</summary>
    public long RejectedQueueDelay => Interlocked.Read(ref _rejectedQueueDelay);

    /// <summary>Admits a call (<see cref="AdmissionDecision.Admitted"/>: call <see cref="Exit"/> when it ends) or says why it is refused.</summary>
    public AdmissionDecision TryEnter()
    {
        if (_queue is { Shedding: true })
        {
            Interlocked.Increment(ref _rejectedQueueDelay);
            return AdmissionDecision.QueueDelay;
        }
        long now = Interlocked.Increment(ref _inFlight);
        if (_limit == 0 || now <= _limit)
            return AdmissionDecision.Admitted;
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _rejectedLimit);
        return AdmissionDecision.ConcurrencyLimit;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Episode log lines not yet written; past this many a new one is dropped (a logger that blocks must not pile them up).</summary>
    private const int MaxLogsQueued = 16;

    // On the monitor thread, a few times per episode. It only counts and hands the report on: the line is formatted and
    // written on a pool thread, since a logger can block (a console logger waits when its queue is full) and the
    // monitor must go on looking (a blocked look would leave it shedding, every call refused, for as long).
    private void OnEpisode(ShedEpisodeReport report)
    {
        long refused = RejectedQueueDelay;
        long count;
        switch (report.Phase)
        {
            case ShedEpisodePhase.Started:
                Interlocked.Increment(ref _episodes);
                _refusedAtLastReport = _refusedAtEpisodeStart;
                count = 0;
                break;
            case ShedEpisodePhase.Continuing:
                count = refused - _refusedAtLastReport; // since the last report
                _refusedAtLastReport = refused;
                break;
            default:
                count = refused - _refusedAtEpisodeStart; // the whole episode
                _refusedAtEpisodeStart = _refusedAtLastReport = refused;
                break;
        }
        if (_logger is not { } log)
            return;
        if (Interlocked.Increment(ref _logsQueued) > MaxLogsQueued)
        {
            Interlocked.Decrement(ref _logsQueued);
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            try
            {
                state.Owner.Write(state.Log, state.Report, state.Count);
            }
            catch (Exception)
            {
                // A logging failure is the logger's; admission control goes on.
            }
            finally
            {
                Interlocked.Decrement(ref state.Owner._logsQueued);
            }
        }, (Owner: this, Log: log, Report: report, Count: count), preferLocal: false);
    }

    private void Write(ILogger log, ShedEpisodeReport report, long refused)
    {
        var q = _queue!;
        int cores = Environment.ProcessorCount;
        switch (report.Phase)
        {
            case ShedEpisodePhase.Started:
                LogRefusing(log, q.MaxDelay.TotalMilliseconds, q.ShedAfter.TotalMilliseconds, Round(report.DelayMs), report.Pending,
                    Round(report.Recent.Span.TotalMilliseconds), report.Recent.Describe(cores), Round(report.Window.Span.TotalMilliseconds), report.Window.Describe(cores));
                break;
            case ShedEpisodePhase.Continuing:
                LogStillRefusing(log, Round(report.Duration.TotalSeconds), refused, Round(report.Window.Span.TotalSeconds), Round(report.DelayMs),
                    Round(report.PeakDelayMs), report.Window.Describe(cores));
                break;
            default:
                LogStoppedRefusing(log, refused, Round(report.Duration.TotalMilliseconds), Round(report.PeakDelayMs), report.Window.Describe(cores));
                break;
        }
    }

    private static double Round(double value) => Math.Round(value, 1);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "refusing recsys.v1 calls: work has waited over {MaxDelayMs} ms in the thread pool's queue for "
        + "{ShedAfterMs} ms (Server:Admission:MaxQueueDelay, ShedAfter; now {DelayMs} ms, {Pending} work items pending). In the {RecentMs} ms before: {Recent}. "
        + "In the {WindowMs} ms before: {Runtime}")]
    private static partial void LogRefusing(ILogger logger, double maxDelayMs, double shedAfterMs, double delayMs, long pending, double recentMs, string recent,
        double windowMs, string runtime);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Warning, Message = "still refusing recsys.v1 calls after {Seconds} s: {Refused} refused in the last {WindowSeconds} s; "
        + "queue delay {DelayMs} ms (peak {PeakDelayMs} ms). In it: {Runtime}")]
    private static partial void LogStillRefusing(ILogger logger, double seconds, long refused, double windowSeconds, double delayMs, double peakDelayMs, string runtime);

    [LoggerMessage(EventId = 1409, Level = LogLevel.Information, Message = "stopped refusing recsys.v1 calls: {Refused} refused over {DurationMs} ms; queue delay peaked "
        + "at {PeakDelayMs} ms. During it: {Runtime}")]
    private static partial void LogStoppedRefusing(ILogger logger, long refused, double durationMs, double peakDelayMs, string runtime);

    public void Dispose() => _queue?.Dispose();
}
