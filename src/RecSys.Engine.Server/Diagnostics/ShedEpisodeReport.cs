namespace RecSys.Engine.Server.Diagnostics;

/// <summary>
/// One report on a run of refusals for queue delay (<see cref="ShedEpisodeTracker"/> makes them).
/// </summary>
/// <param name="Phase">Started, continuing or ended.</param>
/// <param name="Duration">How long calls have been refused, first refusing look to the last (plus one look).</param>
/// <param name="DelayMs">The queue delay at this look.</param>
/// <param name="PeakDelayMs">The most queue delay seen in the window.</param>
/// <param name="Pending">Work items waiting in the thread pool's queues at this look.</param>
/// <param name="Window">What the process and the machine did in the window (see <see cref="ShedEpisodePhase"/>).</param>
/// <param name="Recent">
/// Started only: the last <see cref="ShedEpisodeTracker"/> recent span (100 ms) of <paramref name="Window"/>, where the
/// queue built: a second's average can hide a saturated tenth of a second behind idle time (a server that just got
/// its first calls). Default elsewhere.
/// </param>
public readonly record struct ShedEpisodeReport(ShedEpisodePhase Phase, TimeSpan Duration, double DelayMs, double PeakDelayMs, long Pending, RuntimeWindow Window,
    RuntimeWindow Recent = default);
