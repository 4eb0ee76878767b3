using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Interception;

/// <summary>
/// The concurrency limit in front of the pipeline: a counter of calls in flight; a call past
/// <see cref="AdmissionOptions.MaxConcurrentCalls"/> is refused at once (no queue). Lock-free: one interlocked add
/// to enter, one to leave. Counts what it refused, for metrics and GetStats. Its load (in flight / limit) is what the
/// pipeline's sources degrade by.
/// </summary>
public sealed class AdmissionControl : ILoadSignal
{
    private readonly int _limit;
    private long _inFlight;
    private long _rejected;

    internal AdmissionControl(AdmissionOptions options) => _limit = options.MaxConcurrentCalls;

    /// <summary>The limit (0 = none).</summary>
    public int Limit => _limit;

    /// <summary>Calls admitted and not yet finished.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Calls in flight as a share of the limit (0 without one); the call asking counts itself.</summary>
    public double Load => _limit == 0 ? 0 : (double)InFlight / _limit;

    /// <summary>Calls refused since start.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Admits a call (true: call <see cref="Exit"/> when it ends) or refuses it (false).</summary>
    public bool TryEnter()
    {
        long now = Interlocked.Increment(ref _inFlight);
        if (_limit == 0 || now <= _limit)
            return true;
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _rejected);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
