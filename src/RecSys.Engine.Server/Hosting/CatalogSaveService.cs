using Microsoft.Extensions.Logging;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Saves the serving state's catalog snapshot (ServingState.SaveCatalogAsync: items added live and their numbering,
/// live content rows, impression counts) every Serving:CatalogSaveInterval while the server runs. The store makes every
/// write durable as it happens, but the snapshot is the only copy of what grew in the catalog while serving: without a
/// save, a crash would lose everything added since the server started (a clean stop saves it, as before). Catalog writes
/// wait while it saves; requests do not.
/// </summary>
internal sealed partial class CatalogSaveService(Func<CancellationToken, Task> save, TimeSpan interval, ILogger logger)
    : PeriodicServingTask(save, interval, logger)
{
    protected override void LogFailure(string reason, long failures) => LogFailed(Logger, reason, failures, Interval);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning,
        Message = "catalog snapshot save failed: {Reason} ({Failures} failed so far); the last saved snapshot stays, next try in {Interval}")]
    private static partial void LogFailed(ILogger logger, string reason, long failures, TimeSpan interval);
}
