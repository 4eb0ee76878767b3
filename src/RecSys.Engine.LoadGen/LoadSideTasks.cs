using System.Diagnostics;
using Grpc.Core;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// What runs beside the open-loop schedule during the measured window: the model activation (<c>--activate</c>) and
/// the freshness probes (<c>--freshness on</c>). Both use the run's channel; neither is counted in the latencies.
/// </summary>
internal sealed class LoadSideTasks
{
    /// <summary>Answers a probe may wait through for its event to show before it counts as never visible.</summary>
    private const int ProbeTries = 20;

    private static readonly TimeSpan ProbePeriod = TimeSpan.FromMilliseconds(500);

    private readonly Task<ActivationResult?> _activation;
    private readonly Task<FreshnessSummary?> _freshness;

    private LoadSideTasks(Task<ActivationResult?> activation, Task<FreshnessSummary?> freshness)
    {
        _activation = activation;
        _freshness = freshness;
    }

    /// <summary>Starts the side tasks; <paramref name="measuredFrom"/> (Stopwatch ticks) is when the measured window opens, <paramref name="stop"/> ends them.</summary>
    public static LoadSideTasks Start(LoadOptions options, LoadClient client, long measuredFrom, CancellationToken stop) => new(
        options.ActivateVersion is { } version ? ActivateAsync(options, client, version, measuredFrom, stop) : Task.FromResult<ActivationResult?>(null),
        options.Freshness ? ProbeAsync(options, client, measuredFrom, stop) : Task.FromResult<FreshnessSummary?>(null));

    public async Task<(ActivationResult? Activation, FreshnessSummary? Freshness)> ResultsAsync() => (await _activation.ConfigureAwait(false), await _freshness.ConfigureAwait(false));

    private static async Task WaitUntil(long timestamp, CancellationToken stop)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, stop).ConfigureAwait(false);
    }

    private static async Task<ActivationResult?> ActivateAsync(LoadOptions options, LoadClient client, string version, long measuredFrom, CancellationToken stop)
    {
        try
        {
            await WaitUntil(measuredFrom + (long)(options.ActivateAtS * Stopwatch.Frequency), stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        long start = Stopwatch.GetTimestamp();
        string status;
        try
        {
            await client.ActivateAsync(version, DateTime.UtcNow + TimeSpan.FromMinutes(2), CancellationToken.None).ConfigureAwait(false);
            status = "OK";
        }
        catch (RpcException e)
        {
            status = e.StatusCode.ToString();
        }
        double at = Stopwatch.GetElapsedTime(measuredFrom, start).TotalSeconds;
        return new ActivationResult(version, Math.Round(at, 3), Math.Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds, 1), status);
    }

    private static async Task<FreshnessSummary?> ProbeAsync(LoadOptions options, LoadClient client, long measuredFrom, CancellationToken stop)
    {
        var random = new Random(options.Seed + 1);
        var visibleMs = new List<double>();
        int probes = 0, first = 0, never = 0, failed = 0;
        try
        {
            await WaitUntil(measuredFrom, stop).ConfigureAwait(false);
            using var timer = new PeriodicTimer(ProbePeriod);
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                long user = options.Users.At((ulong)random.NextInt64(0, long.MaxValue));
                bool counted = false;
                try
                {
                    var before = await client.RecommendIdsAsync(user, stop).ConfigureAwait(false);
                    if (before.Count == 0)
                        continue;
                    long item = before[0];
                    probes++;
                    counted = true;
                    long sent = Stopwatch.GetTimestamp();
                    await client.RecordClickAsync(user, item, stop).ConfigureAwait(false);
                    int tries = 0;
                    while (tries < ProbeTries && (await client.RecommendIdsAsync(user, stop).ConfigureAwait(false)).Contains(item))
                        tries++;
                    if (tries == ProbeTries)
                    {
                        never++;
                        continue;
                    }
                    if (tries == 0)
                        first++;
                    visibleMs.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
                {
                    // The run ended with this probe in flight: it has no outcome, so it is neither a probe nor a failure.
                    if (counted)
                        probes--;
                    break;
                }
                catch (RpcException)
                {
                    failed++;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the run ended
        }
        visibleMs.Sort();
        return new FreshnessSummary(probes, first, never, failed,
            visibleMs.Count == 0 ? 0 : Math.Round(visibleMs[(visibleMs.Count - 1) / 2], 3), visibleMs.Count == 0 ? 0 : Math.Round(visibleMs[^1], 3));
    }
}
