using RecSys.Engine.LoadGen;

namespace RecSys.Engine.LoadTest.Tests;

public sealed class LoadArgumentsTests
{
    private static LoadOptions Parse(params string[] args) => LoadArguments.Parse(["--target", "127.0.0.1:50051", .. args]);

    [Fact]
    public void Every_flag_lands_in_the_options()
    {
        var o = Parse("--rate", "500", "--duration", "30s", "--warmup", "500ms", "--concurrency", "32", "--timeout", "2s",
            "--mix", "recommend=70,SimilarItems=10,SearchVectors=10,RecordEvents=5,UpsertItems=5", "--api-key", "reader-key-0123456789",
            "--users", "1..240", "--items", "1000..1399", "--upsert-ids", "5..9", "--k", "20", "--surface", "home",
            "--search-index", "content", "--search-dim", "96", "--seed", "7", "--slo-ms", "10", "--json", "out.json");
        Assert.Equal(new Uri("http://127.0.0.1:50051"), o.Target);
        Assert.Equal(500, o.RateRps);
        Assert.Equal(TimeSpan.FromSeconds(30), o.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.WarmUp);
        Assert.Equal(32, o.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(2), o.Timeout);
        Assert.Equal("Recommend=70,SimilarItems=10,SearchVectors=10,RecordEvents=5,UpsertItems=5", o.Mix.ToString());
        Assert.Equal("reader-key-0123456789", o.ApiKey);
        Assert.Equal(new IdRange(1, 240), o.Users);
        Assert.Equal(new IdRange(1000, 1399), o.Items);
        Assert.Equal(new IdRange(5, 9), o.UpsertIds);
        Assert.Equal((20, "home", "content", 96, 7), (o.K, o.Surface, o.SearchIndex, o.SearchDim, o.Seed));
        Assert.Equal([10.0], o.SloMs);
        Assert.Equal("out.json", o.JsonPath);
        Assert.Null(o.SweepRates);
    }

    [Fact]
    public void Defaults_are_recommend_only_with_the_100_then_10_ms_slo()
    {
        var o = Parse();
        Assert.Equal("Recommend=1", o.Mix.ToString());
        Assert.Equal([100.0, 10.0], o.SloMs);
        Assert.Equal(100, o.RateRps);
    }

    [Theory]
    [InlineData("10.0.0.1:50051")]
    [InlineData("192.168.1.5:50051")]
    [InlineData("example.com:50051")]
    [InlineData("localhost:50051")]
    [InlineData("[::1]:50051")]
    [InlineData("http://8.8.8.8:443")]
    public void A_target_other_than_127_0_0_1_is_refused(string target)
    {
        var e = Assert.Throws<LoadArgumentException>(() => LoadArguments.Parse(["--target", target]));
        Assert.Equal("--target", e.Flag);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("https://127.0.0.1:50051")]
    [InlineData("127.0.0.1:50051/path")]
    [InlineData("127.0.0.1:99999")]
    public void A_target_that_is_not_127_0_0_1_and_a_port_is_refused(string target) =>
        Assert.Equal("--target", Assert.Throws<LoadArgumentException>(() => LoadArguments.Parse(["--target", target])).Flag);

    [Theory]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "-5")]
    [InlineData("--rate", "fast")]
    [InlineData("--rate", "50001")]
    [InlineData("--duration", "0s")]
    [InlineData("--duration", "2h")]
    [InlineData("--duration", "soon")]
    [InlineData("--warmup", "-1s")]
    [InlineData("--timeout", "0")]
    [InlineData("--concurrency", "0")]
    [InlineData("--mix", "Recommend=1,Browse=2")]
    [InlineData("--mix", "Recommend=-1")]
    [InlineData("--mix", "Recommend=0")]
    [InlineData("--mix", "Recommend=1,recommend=2")]
    [InlineData("--users", "10..1")]
    [InlineData("--items", "abc")]
    [InlineData("--slo-ms", "0")]
    [InlineData("--k", "0")]
    [InlineData("--api-key", "has space")]
    [InlineData("--sweep", "200,100")]
    [InlineData("--plot", "x.png")]
    [InlineData("--bogus", "1")]
    public void A_bad_flag_is_named(string flag, string value) =>
        Assert.Equal(flag, Assert.Throws<LoadArgumentException>(() => Parse(flag, value)).Flag);

    [Fact]
    public void Runs_are_bounded_in_count()
    {
        // 50,000 req/s for an hour is 180M requests: past the 10M a run may send.
        Assert.Equal("--rate", Assert.Throws<LoadArgumentException>(() => Parse("--rate", "50000", "--duration", "1h")).Flag);
        Assert.Equal("--sweep", Assert.Throws<LoadArgumentException>(() => Parse("--sweep", "100,50000", "--duration", "1h")).Flag);
    }

    [Fact]
    public void Search_vectors_in_the_mix_need_the_dimension_and_a_value_needs_its_flag()
    {
        Assert.Equal("--search-dim", Assert.Throws<LoadArgumentException>(() => Parse("--mix", "SearchVectors=1")).Flag);
        Assert.Equal("--rate", Assert.Throws<LoadArgumentException>(() => Parse("--rate")).Flag);
        Assert.Equal("--target", Assert.Throws<LoadArgumentException>(() => LoadArguments.Parse(["--rate", "5"])).Flag);
        Assert.Equal("--rate", Assert.Throws<LoadArgumentException>(() => Parse("--rate", "5", "--rate", "6")).Flag);
    }

    [Fact]
    public void Deletes_need_a_range_of_deletable_items_that_holds_every_scheduled_request()
    {
        // 10 req/s for 2 s plus 1 s of warm-up schedules 30 requests: any of them may be a delete.
        string[] run = ["--rate", "10", "--duration", "2s", "--warmup", "1s", "--mix", "Recommend=1,DeleteItems=1"];
        var o = Parse([.. run, "--delete-ids", "101..130"]);
        Assert.Equal(new IdRange(101, 130), o.DeleteIds);
        Assert.Equal(30, o.Scheduled(o.RateRps));
        var tooFew = Assert.Throws<LoadArgumentException>(() => Parse([.. run, "--delete-ids", "101..129"]));
        Assert.Equal("--delete-ids", tooFew.Flag);
        Assert.Contains("holds 29 ids", tooFew.Message);
        Assert.Equal("--delete-ids", Assert.Throws<LoadArgumentException>(() => Parse(run)).Flag); // deletes are permanent: no default range
        Assert.Equal("--delete-ids", Assert.Throws<LoadArgumentException>(() => Parse("--delete-ids", "1..100")).Flag); // nothing deletes
        Assert.Equal("--delete-ids", Assert.Throws<LoadArgumentException>(() => Parse([.. run, "--delete-ids", "9..1"])).Flag);
        // A sweep's runs use separate ids: the range holds all of them (20 + 40 at 10 and 20 req/s over 2 s).
        string[] sweep = ["--sweep", "10,20", "--duration", "2s", "--warmup", "0s", "--mix", "DeleteItems=1"];
        Assert.Equal(new IdRange(1, 60), Parse([.. sweep, "--delete-ids", "1..60"]).DeleteIds);
        Assert.Equal("--delete-ids", Assert.Throws<LoadArgumentException>(() => Parse([.. sweep, "--delete-ids", "1..59"])).Flag);
        // The scenario names no range of its own (a re-run would delete nothing and look clean): it asks for one, and
        // with its mix overridden it deletes nothing and asks for none.
        Assert.Equal("--delete-ids", Assert.Throws<LoadArgumentException>(() => Parse("--scenario", "hnsw-1m-deletes")).Flag);
        Assert.Equal(new IdRange(1, 20_000), Parse("--scenario", "hnsw-1m-deletes", "--delete-ids", "1..20000").DeleteIds);
        Assert.Null(Parse("--scenario", "hnsw-1m-deletes", "--mix", "Recommend=1").DeleteIds);
    }

    [Fact]
    public void A_sweep_takes_rising_rates_and_a_png()
    {
        var o = Parse("--sweep", "100,200,500", "--plot", "sweep.png");
        Assert.Equal([100.0, 200, 500], o.SweepRates);
        Assert.Equal("--plot", Assert.Throws<LoadArgumentException>(() => Parse("--sweep", "100", "--plot", "sweep.svg")).Flag);
        Assert.Equal("--rate", Assert.Throws<LoadArgumentException>(() => Parse("--sweep", "100", "--rate", "5")).Flag);
    }

    [Fact]
    public async Task The_command_exits_2_naming_the_flag_and_sends_nothing_to_a_refused_target()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await LoadTestCommand.RunAsync(["--target", "10.1.2.3:50051", "--rate", "10", "--duration", "1s"], output, error, "test", plot: null);
        Assert.Equal(LoadTestCommand.ExitBadInput, exit);
        Assert.Contains("--target", error.ToString());
        Assert.Contains("127.0.0.1", error.ToString());
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task Without_a_plotter_the_command_refuses_plot()
    {
        var error = new StringWriter();
        int exit = await LoadTestCommand.RunAsync(["--target", "127.0.0.1:1", "--sweep", "10", "--plot", "a.png"], new StringWriter(), error, "test", plot: null);
        Assert.Equal(LoadTestCommand.ExitBadInput, exit);
        Assert.StartsWith("error: --plot:", error.ToString());
    }

    [Fact]
    public void A_scenario_presets_flags_and_the_command_line_wins()
    {
        var o = Parse("--scenario", "hnsw-1m-events", "--duration", "5s");
        Assert.Equal("hnsw-1m-events", o.Scenario);
        Assert.Equal(700, o.RateRps);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Duration);
        Assert.Equal(new IdRange(1, 1_000_000), o.Users);
        Assert.Equal("Recommend=500,RecordEvents=190,UpsertItems=10", o.Mix.ToString());
        Assert.Equal([10.0, 100], o.SloMs);
        // A sweep replaces the preset's rate instead of clashing with it.
        Assert.Equal([100.0, 200], Parse("--scenario", "hnsw-1m", "--sweep", "100,200").SweepRates);
        Assert.Equal("--scenario", Assert.Throws<LoadArgumentException>(() => Parse("--scenario", "nope")).Flag);
    }

    [Fact]
    public void A_scenario_file_holds_flags_and_a_bad_one_is_named()
    {
        using var dir = new RecSys.Engine.Testing.TempDirectory("recsys-scenario");
        string good = Path.Combine(dir.Path, "mine.json");
        File.WriteAllText(good, """{ "--rate": "250", "--items": "1000..1399" }""");
        var o = Parse("--scenario", good);
        Assert.Equal(("mine", 250.0, new IdRange(1000, 1399)), (o.Scenario, o.RateRps, o.Items));

        string badValue = Path.Combine(dir.Path, "bad.json");
        File.WriteAllText(badValue, """{ "--rate": "lots" }""");
        Assert.Equal("--rate", Assert.Throws<LoadArgumentException>(() => Parse("--scenario", badValue)).Flag);
        string badFlag = Path.Combine(dir.Path, "flag.json");
        File.WriteAllText(badFlag, """{ "--target": "10.0.0.1:1" }""");
        Assert.Equal("--scenario", Assert.Throws<LoadArgumentException>(() => Parse("--scenario", badFlag)).Flag);
        string notJson = Path.Combine(dir.Path, "broken.json");
        File.WriteAllText(notJson, "{ --rate");
        Assert.Equal("--scenario", Assert.Throws<LoadArgumentException>(() => Parse("--scenario", notJson)).Flag);
    }
}
