using System.Diagnostics;

namespace RecSys.Engine.Server.Diagnostics;

/// <summary>
/// Turns the queue-delay monitor's looks into episodes of refusals, each reported three ways, so that an operator (and
/// whoever tunes admission control) can tell why a server refused calls without a trace:
/// <code>
///   first refusing look after a quiet interval      -> Started     window: the lookback before it (what led up to it),
///                                                                  and its last 100 ms alone
///   still refusing, a progress interval since the last report -> Continuing  window: since that report
///   no refusing look for a quiet interval           -> Ended       window: the episode, first refusing look to last
/// </code>
/// Looks that refuse again within the quiet interval belong to the same episode (the monitor's rearm rule refuses them
/// at once anyway), so a server under sustained overload logs one episode with progress lines, not one per look.
/// Keeps the last <see cref="Capacity"/> samples in a ring for the lookback; allocation-free per look. Plain state, no
/// clock of its own: the monitor thread is its only caller, and tests drive it with hand-made samples.
/// </summary>
public sealed class ShedEpisodeTracker
{
    /// <summary>Samples kept for the lookback: 1.28 s of looks 5 ms apart.</summary>
    public const int Capacity = 256;

    private readonly RuntimeSample[] _ring = new RuntimeSample[Capacity];
    private readonly long _look, _lookback, _quiet, _progress, _recent;
    private int _next, _count;
    private bool _inEpisode;
    private RuntimeSample _start, _lastShed, _lastReport;
    private long _peakSinceReport, _peakEpisode;
    private TimeSpan _gcStepSinceReport, _gcStepEpisode;

    /// <param name="look">The time between looks (added to an episode's span: a refusing look refuses until the next).</param>
    /// <param name="lookback">How far back a Started report looks.</param>
    /// <param name="quiet">How long without a refusing look ends an episode.</param>
    /// <param name="progress">How often a long episode is reported while it lasts.</param>
    public ShedEpisodeTracker(TimeSpan look, TimeSpan lookback, TimeSpan quiet, TimeSpan progress)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(look, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lookback, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(quiet, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(progress, TimeSpan.Zero);
        _look = Ticks(look);
        _lookback = Ticks(lookback);
        _quiet = Ticks(quiet);
        _progress = Ticks(progress);
        _recent = Math.Min(Ticks(Recent), _lookback);
    }

    /// <summary>The span a Started report also describes alone: the end of the lookback, where the queue built.</summary>
    public static readonly TimeSpan Recent = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether an episode is open (refusing, or within the quiet interval after the last refusal).</summary>
    public bool InEpisode => _inEpisode;

    /// <summary>
    /// One look: the sample, whether this look refuses calls, and the queue delay it read (<see cref="Stopwatch"/> ticks).
    /// Returns a report when an episode starts, goes on for another progress interval, or ends; else null. Timestamps
    /// must not decrease.
    /// </summary>
    public ShedEpisodeReport? Observe(in RuntimeSample sample, bool shedding, long delayTicks)
    {
        TimeSpan gcStep = _count == 0 ? TimeSpan.Zero : sample.GcPause - Previous.GcPause;
        ShedEpisodeReport? report = null;
        if (!_inEpisode)
        {
            if (shedding)
            {
                report = Started(sample, delayTicks);
                _inEpisode = true;
                _start = _lastShed = _lastReport = sample;
                _peakSinceReport = _peakEpisode = delayTicks;
                _gcStepSinceReport = _gcStepEpisode = TimeSpan.Zero;
            }
        }
        else
        {
            _peakSinceReport = Math.Max(_peakSinceReport, delayTicks);
            _gcStepSinceReport = Max(_gcStepSinceReport, gcStep);
            if (shedding)
            {
                _lastShed = sample;
                _peakEpisode = Math.Max(_peakEpisode, delayTicks);
                _gcStepEpisode = Max(_gcStepEpisode, gcStep);
                if (sample.Timestamp - _lastReport.Timestamp >= _progress)
                {
                    report = new ShedEpisodeReport(ShedEpisodePhase.Continuing, Span(_start, sample), Ms(delayTicks), Ms(_peakSinceReport), sample.Pending,
                        RuntimeWindow.Between(_lastReport, sample, _gcStepSinceReport));
                    _lastReport = sample;
                    _peakSinceReport = 0;
                    _gcStepSinceReport = TimeSpan.Zero;
                }
            }
            else if (sample.Timestamp - _lastShed.Timestamp >= _quiet)
            {
                report = new ShedEpisodeReport(ShedEpisodePhase.Ended, Span(_start, _lastShed), Ms(delayTicks), Ms(_peakEpisode), sample.Pending,
                    RuntimeWindow.Between(_start, _lastShed, _gcStepEpisode));
                _inEpisode = false;
            }
        }
        _ring[_next] = sample;
        _next = (_next + 1) % Capacity;
        _count = Math.Min(_count + 1, Capacity);
        return report;
    }

    private ref readonly RuntimeSample Previous => ref _ring[(_next + Capacity - 1) % Capacity];

    // The window from the oldest kept sample within the lookback up to this one, with the longest GC step in it, and
    // the same for the recent span.
    private ShedEpisodeReport Started(in RuntimeSample sample, long delayTicks)
    {
        RuntimeSample from = sample, recentFrom = sample;
        TimeSpan longest = _count == 0 ? TimeSpan.Zero : sample.GcPause - Previous.GcPause, recentLongest = longest;
        for (int i = 1; i <= _count; i++)
        {
            ref readonly RuntimeSample s = ref _ring[(_next - i + Capacity) % Capacity];
            if (sample.Timestamp - s.Timestamp > _lookback)
                break;
            if (i > 1)
                longest = Max(longest, from.GcPause - s.GcPause);
            from = s;
            if (sample.Timestamp - s.Timestamp <= _recent)
            {
                recentLongest = longest;
                recentFrom = s;
            }
        }
        return new ShedEpisodeReport(ShedEpisodePhase.Started, TimeSpan.FromSeconds((double)_look / Stopwatch.Frequency), Ms(delayTicks), Ms(delayTicks),
            sample.Pending, RuntimeWindow.Between(from, sample, longest), RuntimeWindow.Between(recentFrom, sample, recentLongest));
    }

    private TimeSpan Span(in RuntimeSample first, in RuntimeSample last) => TimeSpan.FromSeconds((double)(last.Timestamp - first.Timestamp + _look) / Stopwatch.Frequency);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);
}
