using Grpc.Core;
using RecSys.Engine.LoadGen;

namespace RecSys.Engine.LoadTest.Tests;

/// <summary>Percentiles and the coordinated-omission correction on hand-made timings (a microsecond clock, no real time).</summary>
public sealed class LatencyRecorderTests
{
    private const long Us = 1_000_000; // ticks per second: the hand-made timings are in microseconds

    [Fact]
    public void Percentiles_of_one_to_a_thousand_milliseconds()
    {
        var recorder = new LatencyRecorder(Us);
        // Latencies 1..1000 ms, in a shuffled order (the order must not matter).
        var order = Enumerable.Range(1, 1000).OrderBy(i => (i * 7919) % 1000).ToArray();
        foreach (int ms in order)
            recorder.Success(RequestKind.Recommend, dueTicks: 0, sentTicks: 0, completedTicks: ms * 1000L);

        var s = recorder.Latency();
        Assert.Equal(1000, s.Count);
        // HdrHistogram at 3 significant digits: each value within 0.1% of the exact rank's.
        Assert.InRange(s.P50Ms, 500, 500.5);
        Assert.InRange(s.P95Ms, 950, 950.5);
        Assert.InRange(s.P99Ms, 990, 991);
        Assert.InRange(s.P999Ms, 999, 1000);
        Assert.InRange(s.MaxMs, 1000, 1001);
        Assert.InRange(s.MeanMs, 500, 501);
        Assert.Equal(1000, recorder.Ok);
    }

    [Fact]
    public void A_stall_shows_in_the_tail_when_latency_counts_from_the_schedule()
    {
        // One connection, 100 req/s (due every 10 ms), 1 ms to answer; request 100 stalls the server for 1 s. A closed
        // loop would just stop sending for that second; an open loop's requests keep coming due and wait behind it.
        var recorder = new LatencyRecorder(Us);
        long free = 0; // when the connection is free again
        for (int i = 0; i < 1000; i++)
        {
            long due = LoadSchedule.DueTicks(i, 100, Us);
            long sent = Math.Max(due, free);
            long done = sent + (i == 100 ? 1_000_000 : 1_000);
            recorder.Success(RequestKind.Recommend, due, sent, done);
            free = done;
        }

        var latency = recorder.Latency();
        var service = recorder.Service();
        // From the send (coordinated omission): one slow answer in a thousand, p99 is the 1 ms service time.
        Assert.InRange(service.P99Ms, 1, 1.01);
        Assert.InRange(service.MaxMs, 1000, 1001);
        // From the schedule: the ~100 requests due during the stall waited up to a second; over 10% of the run is slow.
        Assert.InRange(latency.P95Ms, 400, 600);
        Assert.InRange(latency.P99Ms, 900, 1000);
        Assert.InRange(latency.MaxMs, 1000, 1001);
        Assert.InRange(latency.P50Ms, 1, 1.01);
    }

    [Fact]
    public void The_send_lag_is_how_late_the_generator_sent_each_request_failed_ones_included()
    {
        // 100 requests due 10 ms apart; the generator stalls 250 ms before the first, then sends the 25 that fell due at
        // once (a burst): their lags fall from 250 ms to 10 ms; the rest go out on time.
        var recorder = new LatencyRecorder(Us);
        for (int i = 0; i < 100; i++)
        {
            long due = LoadSchedule.DueTicks(i, 100, Us);
            recorder.Sent(due, Math.Max(due, 250_000));
        }
        recorder.Failure(RequestKind.Recommend, Grpc.Core.StatusCode.ResourceExhausted, 300_000); // no effect on the lag

        var lag = recorder.SendLag();
        Assert.Equal(100, lag.Count);
        Assert.InRange(lag.MaxMs, 250, 250.3);
        Assert.InRange(lag.P50Ms, 0, 0.01);
        Assert.InRange(lag.P99Ms, 240, 250.3);
    }

    [Fact]
    public void Degraded_answers_are_counted_among_the_ok_ones()
    {
        var recorder = new LatencyRecorder(Us);
        recorder.Success(RequestKind.Recommend, 0, 0, 1_000, degraded: true);
        recorder.Success(RequestKind.Recommend, 0, 0, 1_000);
        recorder.Success(RequestKind.Recommend, 0, 0, 1_000, degraded: true);
        recorder.Failure(RequestKind.Recommend, StatusCode.ResourceExhausted, 2_000);

        Assert.Equal(3, recorder.Ok);
        Assert.Equal(2, recorder.Degraded);
    }

    [Fact]
    public void Failures_count_by_status_and_kind_and_stay_out_of_the_latencies()
    {
        var recorder = new LatencyRecorder(Us);
        recorder.Success(RequestKind.Recommend, 0, 0, 2_000);
        recorder.Failure(RequestKind.Recommend, StatusCode.ResourceExhausted, 3_000);
        recorder.Failure(RequestKind.UpsertItems, StatusCode.ResourceExhausted, 4_000);
        recorder.Failure(RequestKind.UpsertItems, StatusCode.PermissionDenied, 9_000);

        Assert.Equal(1, recorder.Ok);
        Assert.Equal(3, recorder.Failed);
        Assert.Equal(new Dictionary<string, long> { ["PermissionDenied"] = 1, ["ResourceExhausted"] = 2 }, recorder.Errors());
        Assert.Equal(2, recorder.Latency().P99Ms, 2);
        var byKind = recorder.ByKind();
        Assert.Equal(new KindSummary(1, 1, 2, 2, 2), byKind["Recommend"]); // 2,000 us: below 2,048, recorded exactly
        Assert.Equal(0, byKind["UpsertItems"].Ok);
        Assert.Equal(2, byKind["UpsertItems"].Failed);
        Assert.Equal(9_000, recorder.LastCompletedTicks);
    }

    [Fact]
    public void An_empty_recorder_reports_zeros()
    {
        var recorder = new LatencyRecorder(Us);
        Assert.Equal(LatencySummary.Empty, recorder.Latency());
        Assert.Null(recorder.LastCompletedTicks);
        Assert.Empty(recorder.Errors());
    }
}
