using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Re-ranks the popularity and trending sources' per-segment lists from the feature store's decayed counters
/// (RecommendationPipeline.RefreshTrendingAsync) every Serving:TrendingRefreshInterval while the server runs, so items
/// with events since training rise without a new version. Requests never wait for it: each list is swapped whole.
/// <code>
///   host start -> tick every interval -> refresh (every serving version: the active one, experiment versions)
///                                          ok: counted      failed: logged, counted, the old lists stay, next tick as usual
///   host stop  -> the tick or refresh in progress is cancelled and awaited, before the server saves the state
/// </code>
/// A failed refresh never ends the loop: an exception out of a BackgroundService would stop the whole host.
/// </summary>
internal sealed partial class TrendingRefreshService(Func<CancellationToken, Task> refresh, TimeSpan interval, ILogger logger) : BackgroundService
{
    private long _refreshes;
    private long _failures;

    /// <summary>Time between refreshes; <see cref="TimeSpan.Zero"/> = off (the lists stay as trained).</summary>
    public TimeSpan Interval => interval;

    /// <summary>Refreshes that completed.</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    /// <summary>Refreshes that threw (logged; the lists stayed as they were).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (interval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await RefreshOnceAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>One refresh: counted either way; a failure is logged and swallowed, a cancellation by the stop is not.</summary>
    internal async Task RefreshOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            await refresh(stoppingToken).ConfigureAwait(false);
            Interlocked.Increment(ref _refreshes);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            long failures = Interlocked.Increment(ref _failures);
            // The reason on the line, not the stack: a store that stays down fails every interval.
            LogFailed(logger, $"{e.GetType().Name}: {e.Message}", failures, interval);
        }
    }

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning,
        Message = "trending refresh failed: {Reason} ({Failures} failed so far); the popularity and trending lists stay as they were, next try in {Interval}")]
    private static partial void LogFailed(ILogger logger, string reason, long failures, TimeSpan interval);
}
