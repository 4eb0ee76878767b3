using RecSys.Engine.Pipeline.Abstractions;
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
/// the pipeline's sources degrade by, so they shrink as a queue grows.
/// </summary>
public sealed class AdmissionControl : ILoadSignal, IDisposable
{
    private readonly int _limit;
    private readonly QueueDelayMonitor? _queue;
    private long _inFlight;
    private long _rejectedLimit;
    private long _rejectedQueueDelay;

    internal AdmissionControl(AdmissionOptions options)
    {
        _limit = options.MaxConcurrentCalls;
        _queue = options.MaxQueueDelay > TimeSpan.Zero ? new QueueDelayMonitor(options.MaxQueueDelay, options.ShedAfter, options.DegradeQueueDelay) : null;
    }

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

    public void Dispose() => _queue?.Dispose();
}
