using Microsoft.Extensions.Logging;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Saves the serving state's catalog snapshot (ServingState.SaveCatalogAsync: items added live and their numbering,
/// live content rows, impression counts) every Serving:CatalogSaveInterval while the server runs. Catalog changes are
/// in the catalog journal before a write returns, so a crash loses none of them whatever the interval; each save empties
/// the journal (bounding what a start replays) and keeps impression counts, which are not journaled. A save with nothing
/// changed writes nothing. Catalog writes wait only while the catalog is copied; requests do not wait.
/// </summary>
internal sealed partial class CatalogSaveService(Func<CancellationToken, Task> save, TimeSpan interval, ILogger logger)
    : PeriodicServingTask(save, interval, logger)
{
    protected override void LogFailure(string reason, long failures) => LogFailed(Logger, reason, failures, Interval);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning,
        Message = "catalog snapshot save failed: {Reason} ({Failures} failed so far); the last saved snapshot stays, next try in {Interval}")]
    private static partial void LogFailed(ILogger logger, string reason, long failures, TimeSpan interval);
}
