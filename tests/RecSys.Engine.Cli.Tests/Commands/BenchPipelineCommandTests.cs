using System.Text.Json;
using RecSys.Engine.Cli.Commands;

namespace RecSys.Engine.Cli.Tests.Commands;

public sealed class BenchPipelineCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-benchpipe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task StageTimes_CountOnlyTheirOwnRequests_WhileAnotherPipelineRunsInTheProcess()
    {
        // The stage histogram's meter is one per process: a listener hears every pipeline in it, on their threads. Before
        // the runner kept to its own flow, the other run's measurements landed in its samples (and, recorded from two
        // threads into one dictionary, could corrupt it and fail both runs).
        string mine = Path.Combine(_dir, "mine"), other = Path.Combine(_dir, "other");
        foreach (string c in new[] { mine, other })
        {
            var gen = CommandRun.Run(GenCommand.Create(), "gen", "catalog", "--items", "400", "--users", "100", "--history", "5", "--hnsw", "HNSW8,efc40", "--out", c);
            Assert.True(gen.Code == 0, gen.Stderr + gen.Stdout);
        }
        using var stop = new CancellationTokenSource();
        var background = Task.Run(() =>
        {
            int runs = 0;
            while (!stop.IsCancellationRequested)
            {
                var r = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", other, "--requests", "200", "--warmup", "1", "--settle-jit-seconds", "0", "--json", Path.Combine(_dir, $"other-{runs}.json"));
                Assert.True(r.Code == 0, r.Stderr + r.Stdout);
                runs++;
            }
            return runs;
        });
        try
        {
            string json = Path.Combine(_dir, "mine.json");
            for (int attempt = 0; attempt < 3; attempt++)
            {
                var (code, stdout, stderr) = await Task.Run(() => CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", mine, "--requests", "300", "--warmup", "1", "--settle-jit-seconds", "0", "--json", json));
                Assert.True(code == 0, stderr + stdout);
                using var doc = JsonDocument.Parse(File.ReadAllText(json));
                foreach (var stage in doc.RootElement.GetProperty("stage_us").EnumerateObject())
                    Assert.True(stage.Value.GetProperty("samples").GetInt32() == 300, $"{stage.Name}: {stage.Value}");
            }
        }
        finally
        {
            stop.Cancel();
            // The other run finishes before Dispose removes its directory, whether or not this one failed.
            await Task.WhenAny(background);
        }
        Assert.True(await background > 0);
    }

    [Fact]
    public void TheVersionsRanker_RanksUnlessRankerIsOff()
    {
        string catalog = Path.Combine(_dir, "ranked");
        var gen = CommandRun.Run(GenCommand.Create(), "gen", "catalog", "--items", "400", "--users", "200", "--history", "5", "--hnsw", "HNSW8,efc40", "--ranker", "mlp", "--ranker-sample", "200", "--out", catalog);
        Assert.True(gen.Code == 0, gen.Stderr + gen.Stdout);
        foreach (var (flag, expected) in new[] { ("on", "onnx-mlp"), ("off", "rrf") })
        {
            string json = Path.Combine(_dir, $"ranker-{flag}.json");
            var (code, stdout, stderr) = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", catalog, "--requests", "20", "--warmup", "2", "--settle-jit-seconds", "0", "--ranker", flag, "--json", json);
            Assert.True(code == 0, stderr + stdout);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal(expected, doc.RootElement.GetProperty("ranker").GetString());
        }
        var bad = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", catalog, "--ranker", "maybe");
        Assert.Equal(CliRunner.ExitBadInput, bad.Code);
        Assert.Contains("--ranker", bad.Stderr);
    }

    [Fact]
    public void OverAGeneratedCatalog_ReportsLatencyAllocationsStagesAndCandidates()
    {
        string catalog = Path.Combine(_dir, "c");
        var gen = CommandRun.Run(GenCommand.Create(), "gen", "catalog", "--items", "400", "--users", "100", "--history", "5", "--hnsw", "HNSW8,efc40", "--out", catalog);
        Assert.True(gen.Code == 0, gen.Stderr + gen.Stdout);

        string json = Path.Combine(_dir, "result.json");
        var (code, stdout, stderr) = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", catalog, "--requests", "50", "--warmup", "5", "--settle-jit-seconds", "5", "--candidates", "120", "--json", json);
        Assert.True(code == 0, stderr + stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var r = doc.RootElement;
        Assert.Equal(50, r.GetProperty("requests").GetInt32());
        Assert.Equal("hnsw", r.GetProperty("version").GetString());
        Assert.Equal("rrf", r.GetProperty("ranker").GetString());
        var latency = r.GetProperty("latency_us");
        Assert.True(latency.GetProperty("p50").GetDouble() > 0);
        Assert.True(latency.GetProperty("p99").GetDouble() >= latency.GetProperty("p50").GetDouble());
        Assert.True(r.GetProperty("allocated_bytes_per_request").GetInt64() > 0);
        // The fields that say what else the process did during the timed pass: JIT work and GC pauses.
        Assert.Equal(JsonValueKind.Number, r.GetProperty("jit_during_pass").GetProperty("methods").ValueKind);
        Assert.Equal(JsonValueKind.Number, r.GetProperty("jit_during_pass").GetProperty("ms").ValueKind);
        Assert.Equal(JsonValueKind.Number, r.GetProperty("gc_collections").GetProperty("pause_ms").ValueKind);
        // The warm-up went on in rounds of 500 requests until the JIT settled or the 5 s ran out (other tests compile
        // in this process too, so either outcome is fine here); the log says which.
        var settle = r.GetProperty("jit_settle");
        Assert.InRange(settle.GetProperty("rounds").GetInt32(), 1, 20);
        Assert.Equal(500, settle.GetProperty("round_requests").GetInt32());
        Assert.True(settle.GetProperty("methods").GetInt64() >= 0);
        Assert.Contains("jit settle: ", stderr);
        Assert.Contains(settle.GetProperty("settled").GetBoolean() ? "settled in" : "NOT settled", stderr);
        foreach (string stage in new[] { "user_context", "sources", "merge_filter", "rank", "post" })
            Assert.True(r.GetProperty("stage_us").TryGetProperty(stage, out _), stage);
        var counts = r.GetProperty("trace_counts");
        Assert.Equal(10, counts.GetProperty("final").GetInt32());
        Assert.True(counts.GetProperty("merged").GetInt32() > 10);
        Assert.True(r.GetProperty("huge_pages").GetBoolean()); // the default, as Serving:HugePageMappings

        // --huge-pages false maps the rows as the cache holds them, and says so.
        (code, stdout, stderr) = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", catalog, "--requests", "20", "--warmup", "2", "--settle-jit-seconds", "0", "--huge-pages", "false", "--json", json);
        Assert.True(code == 0, stderr + stdout);
        using var off = JsonDocument.Parse(File.ReadAllText(json));
        Assert.False(off.RootElement.GetProperty("huge_pages").GetBoolean());
        Assert.Equal(JsonValueKind.Null, off.RootElement.GetProperty("jit_settle").ValueKind); // --settle-jit-seconds 0
        Assert.DoesNotContain("jit settle", stderr);
        Assert.Equal(20, off.RootElement.GetProperty("requests").GetInt32());

        // --add-source prices an opt-in source: the generated version serves the sequence model, and it feeds the merge.
        Assert.DoesNotContain("sequence", r.GetProperty("home_sources").GetString());
        (code, stdout, stderr) = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", catalog, "--requests", "20", "--warmup", "2", "--settle-jit-seconds", "0", "--add-source", "sequence:30:0.2", "--json", json);
        Assert.True(code == 0, stderr + stdout);
        using var added = JsonDocument.Parse(File.ReadAllText(json));
        Assert.EndsWith(",sequence:30:0.2", added.RootElement.GetProperty("home_sources").GetString());
        Assert.True(added.RootElement.GetProperty("trace_counts").GetProperty("source:sequence").GetInt32() > 0);
        Assert.Equal(0, added.RootElement.GetProperty("dropped_sources").GetInt64());

        // Bad --add-source values exit 2, naming the option and what is wrong.
        foreach (var (value, reason) in new[]
        {
            ("bogus:3", "names no built-in source"), ("sequence", "is not NAME:COUNT[:WEIGHT]"), ("sequence:0", "count"),
            ("sequence:5:-1", "weight"), ("collaborative:10", "on the home surface already"),
            ("content:10", "which this version does not have"), // a generated catalog has no content index
        })
        {
            (code, _, stderr) = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", catalog, "--requests", "5", "--add-source", value);
            Assert.True(code == CliRunner.ExitBadInput, value + ": " + stderr);
            Assert.Contains("--add-source", stderr);
            Assert.Contains(reason, stderr);
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e20")]
    public void ABadSettleTime_ExitsTwoNamingTheOption(string value)
    {
        string catalog = Path.Combine(_dir, "settle");
        var gen = CommandRun.Run(GenCommand.Create(), "gen", "catalog", "--items", "200", "--users", "50", "--history", "3", "--hnsw", "HNSW8,efc40", "--out", catalog);
        Assert.True(gen.Code == 0, gen.Stderr + gen.Stdout);
        var (code, _, stderr) = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", catalog, "--requests", "5", "--settle-jit-seconds", value);
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains("--settle-jit-seconds", stderr);
    }

    [Fact]
    public void ADirectoryThatIsNotAGeneratedCatalog_ExitsTwoNamingData()
    {
        var (code, _, stderr) = CommandRun.Run(BenchCommand.Create(), "bench", "pipeline", "--data", _dir);
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains("--data", stderr);
    }
}
