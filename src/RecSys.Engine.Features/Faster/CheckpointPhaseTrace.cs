using System.Diagnostics;
using System.Text;
using FASTER.core;

namespace RecSys.Engine.Features.Faster;

/// <summary>
/// Where one FASTER checkpoint spends its time: a thread of its own reads FASTER's checkpoint state machine phase
/// about once a millisecond while the checkpoint runs, and records when each phase was first seen. A slow checkpoint
/// then says whether it waited on the flush (WAIT_FLUSH), on other threads to move through a phase (PREPARE,
/// IN_PROGRESS, WAIT_PENDING: each needs every thread inside an operation to refresh), or after FASTER was done, for
/// the awaiting continuation to run (the thread pool's queue). Sampling, not events: a phase shorter than a sample
/// may be missed, and every figure is good to about a millisecond.
/// </summary>
internal sealed class CheckpointPhaseTrace
{
    private readonly FasterKV<SpanByte, SpanByte> _kv;
    private readonly List<(Phase Phase, long At)> _seen = new(8);
    private readonly Thread _thread;
    private readonly long _started;
    private volatile bool _stop;
    private long _ended;

    /// <summary>How long a trace samples at most.</summary>
    private static readonly TimeSpan MaxSampling = TimeSpan.FromMinutes(10);

    private CheckpointPhaseTrace(FasterKV<SpanByte, SpanByte> kv)
    {
        _kv = kv;
        _started = Stopwatch.GetTimestamp();
        _thread = new Thread(Run) { IsBackground = true, Name = "checkpoint phase trace" };
        _thread.Start();
    }

    /// <summary>Starts tracing; call right before asking FASTER for the checkpoint.</summary>
    public static CheckpointPhaseTrace Start(FasterKV<SpanByte, SpanByte> kv) => new(kv);

    private void Run()
    {
        var last = Phase.REST;
        // Bounded: a checkpoint that never returns must not keep a sampling thread for ever.
        while (!_stop && Stopwatch.GetElapsedTime(_started) < MaxSampling)
        {
            var phase = _kv.SystemState.Phase;
            if (phase != last)
            {
                lock (_seen) _seen.Add((phase, Stopwatch.GetTimestamp()));
                last = phase;
            }
            Thread.Sleep(1);
        }
    }

    /// <summary>Stops tracing; call as soon as the awaited checkpoint returned. Returns the summary for the report.</summary>
    public string Stop()
    {
        _ended = Stopwatch.GetTimestamp();
        _stop = true;
        _thread.Join();
        lock (_seen) return Describe([.. _seen], _started, _ended);
    }

    /// <summary>
    /// "first phase after 2 ms, PREPARE 5, IN_PROGRESS 1, WAIT_FLUSH 18, leaving WAIT_FLUSH 677, then 3 ms to the
    /// caller" (ms): each phase from when it was first seen to when the next was, and the time from FASTER back at
    /// rest to the caller resuming.
    /// </summary>
    internal static string Describe(IReadOnlyList<(Phase Phase, long At)> seen, long started, long ended)
    {
        if (seen.Count == 0) return "phases not seen (shorter than a sample)";
        var text = new StringBuilder();
        text.Append("first phase after ").Append(Ms(started, seen[0].At)).Append(" ms");
        for (int i = 0; i < seen.Count; i++)
        {
            if (seen[i].Phase == Phase.REST) break;
            long until = i + 1 < seen.Count ? seen[i + 1].At : ended;
            text.Append(", ").Append(Name(seen[i].Phase)).Append(' ').Append(Ms(seen[i].At, until));
        }
        int rest = -1;
        for (int i = seen.Count - 1; i >= 0; i--)
            if (seen[i].Phase == Phase.REST) { rest = i; break; }
        text.Append(rest >= 0 ? $", then {Ms(seen[rest].At, ended)} ms to the caller" : ", rest not seen before the caller resumed");
        return text.ToString();
    }

    /// <summary>
    /// FASTER marks a transition with the INTERMEDIATE bit on the phase being left while it runs the next phase's
    /// entry work (for PERSISTENCE_CALLBACK: writing the checkpoint's metadata file), and other threads wait meanwhile.
    /// </summary>
    private static string Name(Phase phase) =>
        (phase & Phase.INTERMEDIATE) != 0 ? $"leaving {phase & ~Phase.INTERMEDIATE}" : phase.ToString();

    private static string Ms(long from, long to) =>
        Stopwatch.GetElapsedTime(from, to).TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
}
