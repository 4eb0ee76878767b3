using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>
    /// Runs the surface's sources (in parallel on the pool, or inline) and keeps the lists of those that finished in
    /// budget without an error. The wait ends at the largest budget: a source still running then is dropped, and
    /// the request's scratch is not reused (that source may still write into it). Inline, each source's budget starts
    /// with its turn and is cut to what is left of the largest budget. Returns whether the scratch can go back to the
    /// pool, and the dropped sources with their reasons (null when none).
    /// </summary>
    private async ValueTask<(bool Reusable, List<string>? Dropped)> RunSourcesAsync(RequestContext context, PipelineVersion version, RequestScratch scratch,
        PipelineTrace? trace, CancellationToken cancellationToken)
    {
        var configs = context.Surface.Sources;
        int n = configs.Count;
        TimeSpan wait = TimeSpan.Zero;
        for (int i = 0; i < n; i++)
        {
            scratch.Run(i).Prepare(version.Sources[configs[i].Name], configs[i], context);
            if (configs[i].Budget > wait)
                wait = configs[i].Budget;
        }
        if (_options.ParallelSources && n > 1)
        {
            for (int i = 0; i < n; i++)
                scratch.Tasks[i] = scratch.Runs[i].StartOnPool();
            try
            {
                // The runs catch their own exceptions, so the combined task only ends, never faults.
                await Task.WhenAll(scratch.Tasks.AsSpan(0, n)).WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Whatever has not finished is dropped below.
            }
            finally
            {
                scratch.Tasks.AsSpan(0, n).Clear();
            }
        }
        else
        {
            // One after another: each source's budget starts with its turn, cut to what is left of the largest budget.
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await scratch.Runs[i].RunInline(wait - System.Diagnostics.Stopwatch.GetElapsedTime(started)).ConfigureAwait(false);
            }
        }

        bool reusable = true;
        List<string>? dropped = null;
        scratch.KeptCount = 0;
        for (int i = 0; i < n; i++)
        {
            var run = scratch.Runs[i];
            var counters = Stats.Source(configs[i].Name);
            Interlocked.Increment(ref counters._runs);
            // A source skipped for lack of time never ran: no latency sample (a 0 ms one would flatter it just when it starves).
            if (run.Finished && !run.Skipped)
                PipelineMetrics.Source(configs[i].Name, run.WaitTicks, run.RunTicks);
            if (run.Succeeded)
            {
                scratch.KeptLists[scratch.KeptCount] = run.Output;
                scratch.KeptNames[scratch.KeptCount++] = configs[i].Name;
                TraceSource(trace, configs[i].Name, run.Output, _catalog.Items);
                continue;
            }
            reusable &= run.Finished;
            string reason = run.FailureReason() ?? "dropped";
            Interlocked.Increment(ref reason == "timeout" ? ref counters._timeouts : ref counters._failures);
            if (_options.Logger is { } logger)
                s_logDropped(logger, configs[i].Name, context.RequestId, reason, run.Error);
            (dropped ??= []).Add(configs[i].Name + ": " + reason);
        }
        return (reusable, dropped);
    }
}
