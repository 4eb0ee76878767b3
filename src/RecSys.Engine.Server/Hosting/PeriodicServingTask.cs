using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// Work the server repeats every interval while it runs (the trending refresh, the catalog snapshot save):
/// <code>
///   host start -> tick every interval -> run    ok: counted      failed: logged (the reason on one line), counted, next tick as usual
///   host stop  -> the tick or run in progress is cancelled and awaited, before the server saves the state
/// </code>
/// A failed run never ends the loop: an exception out of a BackgroundService would stop the whole host.
/// </summary>
internal abstract class PeriodicServingTask(Func<CancellationToken, Task> run, TimeSpan interval, ILogger logger) : BackgroundService
{
    private long _runs;
    private long _failures;

    /// <summary>Time between runs; <see cref="TimeSpan.Zero"/> = off.</summary>
    public TimeSpan Interval => interval;

    /// <summary>Runs that completed.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Runs that threw (logged).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    protected ILogger Logger => logger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (interval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await RunOnceAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    /// <summary>One run: counted either way; a failure is logged and swallowed, a cancellation by the stop is not.</summary>
    internal async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            await run(stoppingToken).ConfigureAwait(false);
            Interlocked.Increment(ref _runs);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            long failures = Interlocked.Increment(ref _failures);
            // The reason on the line, not the stack: a store that stays down fails every interval.
            LogFailure($"{e.GetType().Name}: {e.Message}", failures);
        }
    }

    /// <summary>Logs a failed run: <paramref name="reason"/> on one line, with the count of failures so far.</summary>
    protected abstract void LogFailure(string reason, long failures);
}
