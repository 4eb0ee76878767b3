using Microsoft.Extensions.Logging;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Re-ranks the popularity and trending sources' per-segment lists from the feature store's decayed counters
/// (RecommendationPipeline.RefreshTrendingAsync) every Serving:TrendingRefreshInterval while the server runs, so items
/// with events since training rise without a new version. Requests never wait for it: each list is swapped whole. A
/// failed refresh leaves the old lists, and the items that had events wait for the next one (see <see cref="PeriodicServingTask"/>).
/// </summary>
internal sealed partial class TrendingRefreshService(Func<CancellationToken, Task> refresh, TimeSpan interval, ILogger logger)
    : PeriodicServingTask(refresh, interval, logger)
{
    /// <summary>Refreshes that completed.</summary>
    public long Refreshes => Runs;

    /// <summary>One refresh (see <see cref="PeriodicServingTask.RunOnceAsync"/>).</summary>
    internal Task RefreshOnceAsync(CancellationToken stoppingToken) => RunOnceAsync(stoppingToken);

    protected override void LogFailure(string reason, long failures) => LogFailed(Logger, reason, failures, Interval);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning,
        Message = "trending refresh failed: {Reason} ({Failures} failed so far); the popularity and trending lists stay as they were, next try in {Interval}")]
    private static partial void LogFailed(ILogger logger, string reason, long failures, TimeSpan interval);
}
