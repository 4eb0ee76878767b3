using System.Text.Json;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

public class BenchAnnCommandTests : IDisposable
{
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int code, string stdout, string stderr) Run(params string[] args) => BenchAnnTestData.Run(args);

    private void WriteDataset(int n, int nq, string metric) => BenchAnnTestData.WriteDataset(_dir, n, nq, metric, depth: 20);

    [Theory]
    [InlineData("cosine")]
    [InlineData("l2")]
    public void Flat_reports_perfect_recall_and_writes_json_rows(string metric)
    {
        WriteDataset(n: 500, nq: 30, metric);
        string json = Path.Combine(_dir, "out", "bench.json");
        var (code, stdout, stderr) = Run("bench", "ann", "--data", _dir, "--index", "flat", "--k", "10", "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("| flat |", stdout);

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var row = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("flat", row.GetProperty("index").GetString());
        Assert.Equal(1.0, row.GetProperty("recall_at_10").GetDouble());
        Assert.True(row.GetProperty("qps_1thread").GetDouble() > 0);
        Assert.True(row.GetProperty("build_s").GetDouble() >= 0);
        // 16 floats pad to one 64-byte row, plus an 8-byte id.
        Assert.Equal(72, row.GetProperty("bytes_per_vector").GetDouble());
    }

    [Fact]
    public void Hnsw_hnsw_bf16_and_usearch_run_one_build_per_index_and_one_row_per_ef()
    {
        WriteDataset(n: 2000, nq: 30, "l2");
        string json = Path.Combine(_dir, "graphs.json");
        var (code, stdout, stderr) = Run("bench", "ann", "--data", _dir, "--index", "hnsw,hnsw-bf16,usearch", "--M", "8", "--efc", "64", "--ef", "16,128", "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("| hnsw | M=8,ef_construction=64,ef=128 |", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["hnsw", "hnsw", "hnsw-bf16", "hnsw-bf16", "usearch", "usearch"], rows.Select(r => r.GetProperty("index").GetString()!).ToArray());
        // One build per index: both ef rows carry the same build time.
        Assert.Equal(rows[0].GetProperty("build_s").GetDouble(), rows[1].GetProperty("build_s").GetDouble());
        Assert.True(rows[1].GetProperty("recall_at_10").GetDouble() >= 0.95, "hnsw ef=128 recall");
        Assert.True(rows[3].GetProperty("recall_at_10").GetDouble() >= 0.95, "hnsw-bf16 ef=128 recall");
        // The bf16 row copy: 2 bytes per dimension more than the float32-only graph.
        Assert.True(rows[3].GetProperty("bytes_per_vector").GetDouble() > rows[1].GetProperty("bytes_per_vector").GetDouble(), "hnsw-bf16 bytes per vector");
        Assert.True(rows[5].GetProperty("recall_at_10").GetDouble() >= 0.95, "usearch ef=128 recall (ef changed through the native API)");

        (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "hnsw", "--ef", "16,x");
        Assert.Equal(2, code);
        Assert.Contains("--ef", stderr);
        (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "hnsw", "--M", "1");
        Assert.Equal(2, code);
        Assert.Contains("--M", stderr);
    }

    [Fact]
    public void Wrong_ground_truth_shows_as_lost_recall()
    {
        WriteDataset(n: 300, nq: 10, "cosine");
        // Claim the data is L2: the cosine ground truth no longer matches the flat index's answers.
        string json = Path.Combine(_dir, "bench.json");
        var (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "flat", "--metric", "l2", "--json", json);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.True(doc.RootElement[0].GetProperty("recall_at_10").GetDouble() < 1.0);
    }

    [Fact]
    public void Bad_input_exits_2_naming_the_option()
    {
        var (code, _, stderr) = Run("bench", "ann", "--data", Path.Combine(_dir, "missing"));
        Assert.Equal(2, code);
        Assert.Contains("--data", stderr);

        WriteDataset(n: 50, nq: 2, "l2");
        (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "flat,annoy");
        Assert.Equal(2, code);
        Assert.Contains("--index", stderr);
        Assert.Contains("annoy", stderr);

        (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--k", "50");
        Assert.Equal(2, code);
        Assert.Contains("--k", stderr);

        (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--metric", "manhattan");
        Assert.Equal(2, code);
        Assert.Contains("--metric", stderr);

        (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--k", "ten");
        Assert.Equal(2, code);

        File.WriteAllBytes(Path.Combine(_dir, "query.fvecs"), [1, 2, 3]);
        (code, _, stderr) = Run("bench", "ann", "--data", _dir);
        Assert.Equal(2, code);
        Assert.Contains("query.fvecs", stderr);
    }
}
