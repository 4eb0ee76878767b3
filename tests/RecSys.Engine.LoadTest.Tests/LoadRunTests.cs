using System.Diagnostics;
using System.Text.Json;
using RecSys.Engine.LoadGen;
using RecSys.Engine.LoadTest.Tests.Support;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Interception;
using RecSys.Engine.Testing;

namespace RecSys.Engine.LoadTest.Tests;

/// <summary>
/// Short runs against the real server over real gRPC on 127.0.0.1. Nothing here asserts a latency: only counts, fields,
/// and that each run stopped by itself (a generous outer bound turns a run that never ends into a failure, not a hang).
/// </summary>
public sealed class LoadRunTests
{
    private static readonly TimeSpan Stopped = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_two_second_run_at_50_rps_with_every_kind_answers_all_and_writes_the_report()
    {
        await using var rig = await LoadRig.StartAsync();
        int cfDim = rig.Harness.Models.CfIndex!.Dimension;
        using var dir = new TempDirectory("recsys-load");
        string json = Path.Combine(dir.Path, "load.json");
        var o = rig.Options;
        string[] args =
        [
            "--target", $"127.0.0.1:{rig.Server.Port}", "--rate", "50", "--duration", "2s", "--warmup", "500ms", "--concurrency", "16",
            "--timeout", "30s", "--api-key", LoadRig.WriterKey, "--users", o.Users.ToString(), "--items", o.Items.ToString(),
            "--mix", "Recommend=6,SimilarItems=1,SearchVectors=1,RecordEvents=1,UpsertItems=1", "--search-dim", cfDim.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--slo-ms", "600000,100", "--json", json,
        ];
        var output = new StringWriter();
        var error = new StringWriter();

        int exit = await LoadTestCommand.RunAsync(args, output, error, "test", plot: null).WaitAsync(Stopped);

        Assert.Equal("", error.ToString());
        Assert.Equal(LoadTestCommand.ExitPass, exit);
        var report = LoadReport.FromJson(await File.ReadAllTextAsync(json));
        Assert.Equal(100, report.Requests);
        Assert.Equal(100, report.Sent);
        Assert.Equal(100, report.Ok);
        Assert.Equal(0, report.Degraded); // 16 calls at most against a limit of 64: never busy enough to shrink sources
        Assert.Equal(0, report.Unsent);
        Assert.Empty(report.Errors);
        Assert.Equal("pass", report.Verdict);
        Assert.True(report.Slo[0].Pass);
        Assert.Equal(600_000, report.Slo[0].SloMs);
        Assert.Equal(100, report.Slo[1].SloMs);
        Assert.Equal(5, report.ByKind.Count);
        Assert.Equal(100, report.ByKind.Values.Sum(k => k.Ok));
        Assert.True(report.ThroughputRps > 0);
        Assert.True(report.P50Ms > 0);
        Assert.True(report.P50Ms <= report.P95Ms && report.P95Ms <= report.P99Ms && report.P99Ms <= report.P999Ms && report.P999Ms <= report.MaxMs);
        Assert.True(report.ServiceP99Ms <= report.MaxMs);
        // The JSON names the issue asks for.
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        foreach (string field in new[] { "requests", "throughput_rps", "p50_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "errors", "verdict", "slo", "send_lag_p99_ms", "send_lag_max_ms" })
            Assert.True(doc.RootElement.TryGetProperty(field, out _), $"the JSON has no '{field}'");
        string text = output.ToString();
        Assert.Contains("requests 100, ok 100 (degraded 0), errors 0, unsent 0", text);
        Assert.Contains("p99 <= 600000 ms PASS", text);
        Assert.DoesNotContain("no warm-up", text);
        // The upserts reached the catalog (the run really wrote).
        Assert.True(rig.Harness.Catalog.Items.TryGetOrdinal(o.UpsertIds.First, out _));
    }

    [Fact]
    public async Task Deletes_remove_the_range_in_order_each_item_once_and_a_sweeps_second_run_starts_past_the_first()
    {
        await using var rig = await LoadRig.StartAsync();
        long first = PlantedCatalog.ItemId(300);
        // Two runs of 1 s at 20 and 40 req/s schedule 20 and 40 requests: run 1 may use ids first..first+19, run 2 from first+20.
        var options = rig.Options with
        {
            Mix = RequestMix.Parse("Recommend=1,DeleteItems=1", "--mix"),
            DeleteIds = new IdRange(first, PlantedCatalog.ItemId(399)),
            SweepRates = [20, 40],
            Duration = TimeSpan.FromSeconds(1),
            WarmUp = TimeSpan.Zero,
        };

        var sweep = await LoadSweep.RunAsync(options).WaitAsync(Stopped);

        Assert.Equal(2, sweep.Steps.Count);
        var deletes = new long[2];
        for (int r = 0; r < 2; r++)
        {
            Assert.Empty(sweep.Steps[r].Errors); // every id existed (a second delete of an item is no error: the set check below catches reuse)
            deletes[r] = sweep.Steps[r].ByKind["DeleteItems"].Ok;
            Assert.Equal(sweep.Steps[r].Requests, sweep.Steps[r].Ok);
        }
        Assert.True(deletes[0] > 0 && deletes[1] > 0, $"deletes per run: {deletes[0]}, {deletes[1]}");
        var expected = Enumerable.Range(0, (int)deletes[0]).Select(i => first + i)
            .Concat(Enumerable.Range(0, (int)deletes[1]).Select(i => first + 20 + i)).ToHashSet();
        var catalog = rig.Harness.Catalog;
        for (long id = first; id <= PlantedCatalog.ItemId(399); id++)
        {
            Assert.True(catalog.Items.TryGetOrdinal(id, out int ordinal));
            Assert.True(expected.Contains(id) == catalog.IsDeleted(ordinal), $"item {id}: deleted {catalog.IsDeleted(ordinal)}, expected {expected.Contains(id)}");
        }
        Assert.False(catalog.IsDeleted(rig.Harness.Catalog.Items.TryGetOrdinal(PlantedCatalog.ItemId(0), out int kept) ? kept : -1));

        // Options built in code get the command line's check before anything is sent: a range too small for the run.
        var tooSmall = options with { SweepRates = null, DeleteIds = new IdRange(first, first + 5) };
        await Assert.ThrowsAsync<ArgumentException>(() => LoadGenerator.RunAsync(tooSmall, 20));
    }

    [Fact]
    public async Task Answers_a_busy_server_gave_with_fewer_candidates_are_counted_as_degraded()
    {
        // A limit of one call: the call in flight is the whole limit, so every admitted Recommend runs its sources at
        // MinSourceShare and says so; one call at a time from the client, so none is refused.
        await using var rig = await LoadRig.StartAsync(maxConcurrentCalls: 1);
        var options = rig.Options with { Concurrency = 1, RateRps = 20, Duration = TimeSpan.FromSeconds(1), WarmUp = TimeSpan.FromSeconds(0.25) };

        var report = await LoadGenerator.RunAsync(options, options.RateRps).WaitAsync(Stopped);

        Assert.Empty(report.Errors);
        Assert.Equal(report.Requests, report.Ok);
        Assert.Equal(report.Ok, report.Degraded);
        Assert.Contains($"ok {report.Ok:N0} (degraded {report.Degraded:N0})", Text(report));
    }

    private static string Text(LoadReport report)
    {
        var w = new StringWriter();
        report.WriteText(w);
        return w.ToString();
    }

    [Fact]
    public async Task Freshness_probes_see_each_recorded_click_leave_the_next_answers()
    {
        await using var rig = await LoadRig.StartAsync();
        var options = rig.Options with { Duration = TimeSpan.FromSeconds(2), Freshness = true };

        var report = await LoadGenerator.RunAsync(options, options.RateRps).WaitAsync(Stopped);

        var f = report.Freshness;
        Assert.NotNull(f);
        Assert.True(f.Probes >= 1, $"{f.Probes} probes in a 2 s window");
        Assert.Equal(0, f.Failed);
        Assert.Equal(0, f.NeverVisible);
        Assert.Equal(f.Probes, f.VisibleAtFirstAnswer); // RecordEvents applies the event before it returns
        Assert.True(f.P50Ms > 0 && f.P50Ms <= f.MaxMs);
        Assert.Null(report.Activation);
    }

    [Fact]
    public async Task A_freshness_probe_cut_by_the_end_of_the_run_is_neither_a_probe_nor_a_failure()
    {
        var ranker = new HoldingRanker();
        await using var rig = await LoadRig.StartAsync(maxConcurrentCalls: 0, ranker);
        ranker.Holding = true; // after the start: the server's warm-up ranks too
        // A deadline far past the test: the probe's first Recommend stays held until the run's end cancels it.
        var options = rig.Options with { Freshness = true, Timeout = TimeSpan.FromMinutes(5) };
        using var client = new LoadClient(options);
        using var stop = new CancellationTokenSource();
        var side = LoadSideTasks.Start(options, client, Stopwatch.GetTimestamp(), stop.Token);
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (ranker.MostHeld == 0 && DateTime.UtcNow < until)
            await Task.Delay(20);
        Assert.Equal(1, ranker.MostHeld); // the probe's call is in flight

        await stop.CancelAsync();
        var (_, f) = await side.ResultsAsync().WaitAsync(Stopped);

        Assert.NotNull(f);
        Assert.Equal(0, f.Failed);
        Assert.Equal(0, f.Probes);
    }

    [Fact]
    public async Task Past_the_admission_limit_the_server_refuses_with_resource_exhausted_and_recovers_when_the_load_drops()
    {
        var ranker = new HoldingRanker();
        await using var rig = await LoadRig.StartAsync(maxConcurrentCalls: 2, ranker);
        ranker.Holding = true; // after the start: the server's warm-up requests go through the ranker too
        // Every admitted call is held until its 1 s deadline: the server is full, and each further call must be refused.
        var saturated = rig.Options with { Duration = TimeSpan.FromSeconds(1), WarmUp = TimeSpan.Zero, Timeout = TimeSpan.FromSeconds(1) };

        var report = await LoadGenerator.RunAsync(saturated, saturated.RateRps).WaitAsync(Stopped);

        Assert.Equal(50, report.Requests);
        Assert.Equal(50, report.Sent);
        Assert.Equal(0, report.Ok);
        Assert.True(report.Errors.GetValueOrDefault("ResourceExhausted") > 0, "no call was refused: " + string.Join(", ", report.Errors));
        // Only refusals and the held calls' deadlines; never more held than the limit.
        Assert.Equal(50, report.Errors.Values.Sum());
        Assert.Subset(new HashSet<string> { "ResourceExhausted", "DeadlineExceeded", "Cancelled" }, report.Errors.Keys.ToHashSet());
        Assert.InRange(ranker.MostHeld, 1, 2);
        Assert.Equal("fail", report.Verdict);

        // The load drops (the ranker lets go): the next run is answered in full. Two things kept this from being a
        // fact on a loaded machine: a held call can still be inside the server after the client gave up on it (its
        // deadline fires client-side first), and at 50 req/s a third call can overlap two slow ones. So the run starts
        // once the server has no call in flight, and sends at most the limit's 2 at a time (a call leaves admission
        // before its answer is sent, so the server never sees more than the client has out).
        ranker.Holding = false;
        var admission = (AdmissionControl)rig.Server.Services.GetService(typeof(AdmissionControl))!;
        var idleBy = DateTime.UtcNow + Stopped;
        while (admission.InFlight > 0 && DateTime.UtcNow < idleBy)
            await Task.Delay(20);
        Assert.Equal(0, admission.InFlight);
        long rejectedBefore = admission.Rejected;
        var after = await LoadGenerator.RunAsync(rig.Options with { Duration = TimeSpan.FromSeconds(1), Concurrency = 2 }, 50).WaitAsync(Stopped);
        Assert.Equal(50, after.Ok);
        Assert.Empty(after.Errors);
        Assert.Equal(rejectedBefore, admission.Rejected);
    }

    [Fact]
    public async Task A_server_that_never_answers_still_ends_the_run_at_its_time_bound()
    {
        var ranker = new HoldingRanker();
        await using var rig = await LoadRig.StartAsync(maxConcurrentCalls: 0, ranker);
        ranker.Holding = true;
        // One slot and a 1 s deadline: the first call holds the slot until its deadline, so the generator falls behind
        // and the time bound (schedule + deadline + 1 s) cuts it off; what was left is counted as unsent.
        var o = rig.Options with { Duration = TimeSpan.FromSeconds(1), WarmUp = TimeSpan.Zero, Concurrency = 1, Timeout = TimeSpan.FromSeconds(1) };

        var report = await LoadGenerator.RunAsync(o, 50).WaitAsync(Stopped);

        Assert.Equal(50, report.Requests);
        Assert.Equal(0, report.Ok);
        Assert.True(report.Unsent > 0);
        Assert.Equal(report.Requests, report.Sent + report.Unsent);
        Assert.Equal(report.Sent, report.Errors.Values.Sum());
        Assert.Equal("fail", report.Verdict);
    }

    [Fact]
    public async Task A_sweep_runs_the_rising_rates_and_hands_the_result_to_the_plotter()
    {
        await using var rig = await LoadRig.StartAsync();
        using var dir = new TempDirectory("recsys-sweep");
        string png = Path.Combine(dir.Path, "sweep.png");
        string json = Path.Combine(dir.Path, "sweep.json");
        SweepReport? plotted = null;
        string[] args =
        [
            "--target", $"127.0.0.1:{rig.Server.Port}", "--sweep", "20,40", "--duration", "1s", "--warmup", "0", "--api-key", LoadRig.WriterKey,
            "--users", rig.Options.Users.ToString(), "--slo-ms", "600000", "--json", json, "--plot", png,
        ];

        var output = new StringWriter();
        int exit = await LoadTestCommand.RunAsync(args, output, new StringWriter(), "test", (path, sweep) =>
        {
            Assert.Equal(png, path);
            plotted = sweep;
        }).WaitAsync(Stopped);

        Assert.Equal(LoadTestCommand.ExitPass, exit);
        var sweep = SweepReport.FromJson(await File.ReadAllTextAsync(json));
        Assert.NotNull(plotted);
        Assert.Equal(sweep.Steps.Count, plotted.Steps.Count);
        Assert.Equal([20.0, 40.0], sweep.Steps.Select(s => s.RateRps));
        Assert.Equal([20L, 40L], sweep.Steps.Select(s => s.Ok));
        Assert.Equal(40, sweep.MaxPassingRateRps);
        Assert.Equal(600_000, sweep.SloMs);
        // --warmup 0: each step's report says its first calls carry the client's own start (one note per step).
        Assert.Equal(2, output.ToString().Split("note: no warm-up").Length - 1);
    }

    [Fact]
    public async Task A_sweep_stops_at_the_first_rate_that_fails()
    {
        var ranker = new HoldingRanker();
        await using var rig = await LoadRig.StartAsync(maxConcurrentCalls: 1, ranker);
        ranker.Holding = true;
        var o = rig.Options with { SweepRates = [10, 20, 30], Duration = TimeSpan.FromSeconds(1), WarmUp = TimeSpan.Zero, Timeout = TimeSpan.FromSeconds(1) };

        var sweep = await LoadSweep.RunAsync(o).WaitAsync(Stopped);

        var step = Assert.Single(sweep.Steps);
        Assert.Equal(10, step.RateRps);
        Assert.Equal("fail", step.Verdict);
        Assert.Equal(0, sweep.MaxPassingRateRps);
    }

    /// <summary>
    /// One request goes out before the schedule's clock starts (it opens the connection and compiles the client's call
    /// path, so the first scheduled calls do not pile up behind it and leave as a burst), and it is not counted: the
    /// server answers one Recommend more than the report holds.
    /// </summary>
    [Fact]
    public async Task One_priming_call_goes_out_before_the_schedule_and_is_not_counted()
    {
        await using var rig = await LoadRig.StartAsync();
        long before = rig.Harness.Pipeline.Stats.Requests;
        var o = rig.Options with { RateRps = 20, Duration = TimeSpan.FromSeconds(1), WarmUp = TimeSpan.FromMilliseconds(500) };

        var report = await LoadGenerator.RunAsync(o, 20).WaitAsync(Stopped);

        Assert.Equal(20, report.Requests);
        Assert.Equal(20, report.Ok);
        Assert.Empty(report.Errors);
        // 10 warm-up and 20 measured scheduled calls, and the priming one.
        Assert.Equal(31, rig.Harness.Pipeline.Stats.Requests - before);
    }

    /// <summary>
    /// The priming call is a Recommend whatever the mix: a delete-only run whose range holds exactly its requests
    /// deletes every one of them, none used up before the schedule.
    /// </summary>
    [Fact]
    public async Task The_priming_call_takes_no_id_of_a_delete_range_that_holds_exactly_the_run()
    {
        await using var rig = await LoadRig.StartAsync();
        long first = PlantedCatalog.ItemId(380), last = PlantedCatalog.ItemId(389);
        var o = rig.Options with
        {
            Mix = RequestMix.Parse("DeleteItems=1", "--mix"),
            DeleteIds = new IdRange(first, last),
            RateRps = 10,
            Duration = TimeSpan.FromSeconds(1),
            WarmUp = TimeSpan.Zero,
        };

        var report = await LoadGenerator.RunAsync(o, 10).WaitAsync(Stopped);

        Assert.Equal(10, report.Ok);
        Assert.Empty(report.Errors);
        for (long id = first; id <= last; id++)
            Assert.True(rig.Harness.Catalog.Items.TryGetOrdinal(id, out int ordinal) && rig.Harness.Catalog.IsDeleted(ordinal), $"item {id} not deleted");
    }
}
