using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// One open-loop run: requests go out on the fixed schedule of <see cref="LoadSchedule"/> whether or not earlier ones
/// were answered, each latency counted from its due time. At most <see cref="LoadOptions.Concurrency"/> calls are in
/// flight; a due request that finds them all busy waits, and that wait is part of its latency. The run is bounded: the
/// schedule is finite, every call has a deadline, and past <see cref="LoadOptions.TimeBound"/> nothing more is sent.
/// </summary>
public static class LoadGenerator
{
    public static async Task<LoadReport> RunAsync(LoadOptions options, double rate, CancellationToken cancellationToken = default)
    {
        var (warm, measured) = options.Counts(rate);
        long total = warm + measured;
        // LoadArguments checks this for the command line; a caller building LoadOptions itself gets the same refusal
        // here, before anything is sent, instead of a failure in the middle of the schedule.
        if (options.Mix.Sends(RequestKind.DeleteItems) && (options.DeleteIds is not { } deletable || deletable.Last < deletable.First || deletable.Count < total))
            throw new ArgumentException($"DeleteIds must hold every request of the run ({total:N0}); it is {options.DeleteIds?.ToString() ?? "not set"}", nameof(options));
        long frequency = Stopwatch.Frequency;
        var recorder = new LatencyRecorder(frequency);
        var random = new Random(options.Seed);
        using var slots = new SemaphoreSlim(options.Concurrency);
        using var client = new LoadClient(options);
        await PrimeAsync(client, options, cancellationToken).ConfigureAwait(false);
        long start = Stopwatch.GetTimestamp();
        long stopAt = start + (long)(options.TimeBound(rate).TotalSeconds * frequency);
        long measuredFrom = start + LoadSchedule.DueTicks(warm, rate, frequency);
        using var stopSide = new CancellationTokenSource();
        var side = LoadSideTasks.Start(options, client, measuredFrom, stopSide.Token);
        long sent = 0; // measured ones
        long index = 0;
        for (; index < total; index++)
        {
            long due = start + LoadSchedule.DueTicks(index, rate, frequency);
            // Never early: a request sent before its time would hide part of its latency. The wait rounds up to whole
            // milliseconds (a shorter Task.Delay returns at once), so above 1,000 req/s requests go out in small batches;
            // timer lateness (about a millisecond) counts against the run, as it should.
            for (long now = Stopwatch.GetTimestamp(); due > now; now = Stopwatch.GetTimestamp())
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling((due - now) * 1000.0 / frequency)), cancellationToken).ConfigureAwait(false);
            long remaining = stopAt - Stopwatch.GetTimestamp();
            if (remaining <= 0 || !await slots.WaitAsync(TimeSpan.FromSeconds(remaining / (double)frequency), cancellationToken).ConfigureAwait(false))
                break; // the time bound: what is left goes unsent
            bool measure = index >= warm;
            var kind = options.Mix.Pick(random.NextDouble());
            var request = client.Build(kind, random);
            _ = CallAsync(client, recorder, slots, kind, request, due, measure, options.Timeout, cancellationToken);
            if (measure)
                sent++;
        }
        // Drain: holding every slot means every call has ended. Each has its own deadline, so the wait is bounded by the
        // timeout (the calls are not kept in a list: a long run sends millions).
        for (int i = 0; i < options.Concurrency; i++)
            await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        await stopSide.CancelAsync().ConfigureAwait(false);
        var (activation, freshness) = await side.ResultsAsync().ConfigureAwait(false);
        return Report(options, rate, recorder, measured, sent, measuredFrom, frequency) with { Activation = activation, Freshness = freshness };
    }

    /// <summary>
    /// One request before the clock starts, not counted: it opens the connection and compiles the generator's own call
    /// path. Without it the first scheduled call took the generator a few hundred ms on a busy 2-core machine, and the
    /// requests that fell due meanwhile went out at once, a burst of tens of calls that a server with admission control
    /// refused (bench/results/shed-episodes-2026-12-08). Always a Recommend, whatever the mix: it writes nothing and
    /// moves none of the client's id counters (upserts and deletes take theirs in order, and a delete range holds
    /// exactly the schedule's requests), and it is drawn from a Random of its own, so the schedule's requests are the
    /// ones a run without it sends. A failure here is ignored (the run reports what the server does next).
    /// </summary>
    private static async Task PrimeAsync(LoadClient client, LoadOptions options, CancellationToken cancellationToken)
    {
        var random = new Random(unchecked(options.Seed + 1));
        try
        {
            await client.SendAsync(client.Build(RequestKind.Recommend, random), DateTime.UtcNow + options.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
        }
    }

    private static async Task CallAsync(LoadClient client, LatencyRecorder recorder, SemaphoreSlim slots, RequestKind kind, IMessage request,
        long due, bool measure, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long sent = Stopwatch.GetTimestamp();
        if (measure)
            recorder.Sent(due, sent);
        try
        {
            bool degraded = await client.SendAsync(request, DateTime.UtcNow + timeout, cancellationToken).ConfigureAwait(false);
            if (measure)
                recorder.Success(kind, due, sent, Stopwatch.GetTimestamp(), degraded);
        }
        catch (RpcException e)
        {
            if (measure)
                recorder.Failure(kind, e.StatusCode, Stopwatch.GetTimestamp());
        }
        catch (Exception)
        {
            // Nothing may escape a call nobody awaits; a failure outside gRPC's own (it wraps transport errors) counts as Unknown.
            if (measure)
                recorder.Failure(kind, StatusCode.Unknown, Stopwatch.GetTimestamp());
        }
        finally
        {
            slots.Release();
        }
    }

    private static LoadReport Report(LoadOptions options, double rate, LatencyRecorder recorder, long measured, long sent, long measuredFrom, long frequency)
    {
        var latency = recorder.Latency();
        var errors = recorder.Errors();
        long unsent = measured - sent;
        double window = Math.Max(options.Duration.TotalSeconds, ((recorder.LastCompletedTicks ?? measuredFrom) - measuredFrom) / (double)frequency);
        bool clean = latency.Count > 0 && errors.Count == 0 && unsent == 0;
        var slo = options.SloMs.Select(ms => new SloVerdict(ms, clean && latency.P99Ms <= ms)).ToArray();
        return new LoadReport
        {
            Target = $"{options.Target.Host}:{options.Target.Port}",
            Scenario = options.Scenario,
            RateRps = rate,
            DurationS = options.Duration.TotalSeconds,
            WarmupS = options.WarmUp.TotalSeconds,
            Concurrency = options.Concurrency,
            Mix = options.Mix.ToString(),
            Requests = measured,
            Sent = sent,
            Ok = latency.Count,
            Degraded = recorder.Degraded,
            Unsent = unsent,
            ThroughputRps = Math.Round(latency.Count / window, 2),
            P50Ms = latency.P50Ms,
            P95Ms = latency.P95Ms,
            P99Ms = latency.P99Ms,
            P999Ms = latency.P999Ms,
            MaxMs = latency.MaxMs,
            MeanMs = latency.MeanMs,
            ServiceP99Ms = recorder.Service().P99Ms,
            SendLagP99Ms = recorder.SendLag().P99Ms,
            SendLagMaxMs = recorder.SendLag().MaxMs,
            Errors = errors,
            ByKind = recorder.ByKind(),
            Slo = slo,
            Verdict = slo[0].Pass ? "pass" : "fail",
        };
    }
}
