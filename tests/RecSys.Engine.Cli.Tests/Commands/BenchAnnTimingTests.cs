using System.Text.Json;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>`bench ann --runs N --min-time T`: one build, N runs in rotated order, rows with the median and range.</summary>
public sealed class BenchAnnTimingTests : IDisposable
{
    private const int Queries = 20;
    private readonly string _dir = VectorTestData.TempDirectory();

    public BenchAnnTimingTests() => BenchAnnTestData.WriteDataset(_dir, n: 600, nq: Queries, "l2", depth: 10);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int code, string stdout, string stderr) Run(params string[] args) => BenchAnnTestData.Run(args);

    [Fact]
    public void Runs_rotate_the_index_order_and_rows_report_every_run()
    {
        string json = Path.Combine(_dir, "runs.json");
        var (code, stdout, stderr) = Run("bench", "ann", "--data", _dir, "--index", "flat,hnsw,hnsw-bf16", "--M", "8", "--efc", "32",
            "--ef", "16,32", "--runs", "3", "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("run 1/3: flat, hnsw, hnsw-bf16;", stderr);
        Assert.Contains("run 2/3: hnsw, hnsw-bf16, flat;", stderr);
        Assert.Contains("run 3/3: hnsw-bf16, flat, hnsw;", stderr);
        // One build per index, whatever the number of runs.
        Assert.Equal(3, stderr.Split('\n').Count(l => l.Contains("] built in ")));
        Assert.Contains("QPS (1 thread, median of 3)", stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(5, rows.Length);
        foreach (var row in rows)
        {
            Assert.Equal(3, row.GetProperty("runs").GetInt32());
            var qps = row.GetProperty("qps_runs").EnumerateArray().Select(v => v.GetDouble()).Order().ToArray();
            Assert.Equal(3, qps.Length);
            Assert.Equal(qps[0], row.GetProperty("qps_min").GetDouble());
            Assert.Equal(qps[1], row.GetProperty("qps_median").GetDouble());
            Assert.Equal(qps[2], row.GetProperty("qps_max").GetDouble());
            // The field older readers (BenchPlot) take is the median.
            Assert.Equal(qps[1], row.GetProperty("qps_1thread").GetDouble());
            // Without --min-time, one pass of the queries per run.
            Assert.Equal(Queries, row.GetProperty("queries_per_run").GetInt64());
            Assert.Equal(0, row.GetProperty("min_time_s").GetDouble());
        }
    }

    [Fact]
    public void Min_time_repeats_whole_passes_of_the_queries_and_counts_recall_once()
    {
        string json = Path.Combine(_dir, "min-time.json");
        var (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "flat", "--min-time", "150ms", "--json", json);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var row = doc.RootElement[0];
        Assert.Equal(0.15, row.GetProperty("min_time_s").GetDouble());
        long queries = row.GetProperty("queries_per_run").GetInt64();
        Assert.True(queries >= Queries && queries % Queries == 0, $"{queries} queries: whole passes of {Queries}");
        // Exact search: every pass finds all of them, and repeating passes does not count a query twice.
        Assert.Equal(1.0, row.GetProperty("recall_at_10").GetDouble());
    }

    [Theory]
    [InlineData("--runs", "0", "--runs: 0 must be at least 1")]
    [InlineData("--min-time", "soon", "--min-time: 'soon' is not a duration")]
    [InlineData("--min-time", "-1s", "--min-time: '-1s' must be between 0 and 3600 s")]
    public void Bad_timing_options_exit_2_naming_the_option(string option, string value, string message)
    {
        var (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "flat", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }
}
