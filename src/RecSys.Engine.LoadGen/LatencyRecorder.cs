using Grpc.Core;
using HdrHistogram;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// What the measured requests did: latencies in two HdrHistograms (microseconds, 3 significant digits), from the
/// scheduled send (what is reported) and from the actual send (the service time, to show how much of the tail was
/// waiting), also per request kind; failures counted by gRPC status. Thread-safe: completions record from any thread.
/// </summary>
public sealed class LatencyRecorder
{
    /// <summary>The largest latency a histogram holds (10 minutes, far past any run's time bound); longer ones are clamped.</summary>
    public const long HighestMicros = 600_000_000;

    private readonly object _lock = new();
    private readonly double _microsPerTick;
    private readonly LongHistogram _latency = NewHistogram();
    private readonly LongHistogram _service = NewHistogram();
    private readonly LongHistogram _sendLag = NewHistogram();
    private readonly Dictionary<RequestKind, LongHistogram> _byKind = [];
    private readonly SortedDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<RequestKind, long> _errorsByKind = [];
    private long _lastCompletedTicks = long.MinValue;
    private long _degraded;

    /// <param name="ticksPerSecond">The clock of the times passed in (Stopwatch.Frequency in a run; 1,000,000 gives microseconds).</param>
    public LatencyRecorder(long ticksPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ticksPerSecond);
        _microsPerTick = 1e6 / ticksPerSecond;
    }

    /// <summary>Requests that answered OK.</summary>
    public long Ok
    {
        get
        {
            lock (_lock)
                return _latency.TotalCount;
        }
    }

    /// <summary>Requests that failed, all codes.</summary>
    public long Failed
    {
        get
        {
            lock (_lock)
                return _errors.Values.Sum();
        }
    }

    /// <summary>OK answers whose sources ran degraded (the server was busy: fewer candidates, narrower searches).</summary>
    public long Degraded
    {
        get
        {
            lock (_lock)
                return _degraded;
        }
    }

    /// <summary>When the last recorded request completed (ticks), or null before any.</summary>
    public long? LastCompletedTicks
    {
        get
        {
            lock (_lock)
                return _lastCompletedTicks == long.MinValue ? null : _lastCompletedTicks;
        }
    }

    /// <summary>
    /// An OK answer: due at <paramref name="dueTicks"/>, sent at <paramref name="sentTicks"/>, answered at
    /// <paramref name="completedTicks"/>; <paramref name="degraded"/> when the answer says its sources ran degraded.
    /// </summary>
    public void Success(RequestKind kind, long dueTicks, long sentTicks, long completedTicks, bool degraded = false)
    {
        long latency = Micros(LoadSchedule.LatencyTicks(dueTicks, completedTicks));
        long service = Micros(LoadSchedule.LatencyTicks(sentTicks, completedTicks));
        lock (_lock)
        {
            _latency.RecordValue(latency);
            _service.RecordValue(service);
            if (!_byKind.TryGetValue(kind, out var histogram))
                _byKind[kind] = histogram = NewHistogram();
            histogram.RecordValue(latency);
            if (degraded)
                _degraded++;
            _lastCompletedTicks = Math.Max(_lastCompletedTicks, completedTicks);
        }
    }

    /// <summary>
    /// A measured request went out at <paramref name="sentTicks"/>, due at <paramref name="dueTicks"/>: how late the
    /// generator itself sent it (its own stalls, or every slot busy). Failed calls count too: a burst of late sends is
    /// what a server refuses.
    /// </summary>
    public void Sent(long dueTicks, long sentTicks)
    {
        long lag = Micros(LoadSchedule.LatencyTicks(dueTicks, sentTicks));
        lock (_lock)
            _sendLag.RecordValue(lag);
    }

    /// <summary>Percentiles of the send lag (<see cref="Sent"/>), in milliseconds.</summary>
    public LatencySummary SendLag()
    {
        lock (_lock)
            return LatencySummary.Of(_sendLag);
    }

    /// <summary>A failed call, counted under its status code's name (e.g. "ResourceExhausted").</summary>
    public void Failure(RequestKind kind, StatusCode status, long completedTicks)
    {
        lock (_lock)
        {
            string code = status.ToString();
            _errors[code] = _errors.GetValueOrDefault(code) + 1;
            _errorsByKind[kind] = _errorsByKind.GetValueOrDefault(kind) + 1;
            _lastCompletedTicks = Math.Max(_lastCompletedTicks, completedTicks);
        }
    }

    /// <summary>Percentiles of the latency from the scheduled send, in milliseconds.</summary>
    public LatencySummary Latency()
    {
        lock (_lock)
            return LatencySummary.Of(_latency);
    }

    /// <summary>Percentiles of the service time (from the actual send), in milliseconds.</summary>
    public LatencySummary Service()
    {
        lock (_lock)
            return LatencySummary.Of(_service);
    }

    /// <summary>Failures by status code name.</summary>
    public IReadOnlyDictionary<string, long> Errors()
    {
        lock (_lock)
            return new SortedDictionary<string, long>(_errors, StringComparer.Ordinal);
    }

    /// <summary>Per request kind that was recorded: OK count, failures and latency percentiles.</summary>
    public IReadOnlyDictionary<string, KindSummary> ByKind()
    {
        lock (_lock)
        {
            var result = new SortedDictionary<string, KindSummary>(StringComparer.Ordinal);
            foreach (var kind in _byKind.Keys.Union(_errorsByKind.Keys))
            {
                var latency = _byKind.TryGetValue(kind, out var h) ? LatencySummary.Of(h) : LatencySummary.Empty;
                result[kind.ToString()] = new KindSummary(latency.Count, _errorsByKind.GetValueOrDefault(kind), latency.P50Ms, latency.P99Ms, latency.MaxMs);
            }
            return result;
        }
    }

    private long Micros(long ticks) => Math.Min(HighestMicros, (long)Math.Round(ticks * _microsPerTick));

    private static LongHistogram NewHistogram() => new(HighestMicros, 3);
}
