using System.Text.Json;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>`recsys bench ann --index ivfpq`: one build, one row per (refine, nprobe), bad options exit 2.</summary>
public class BenchAnnIvfPqTests : IDisposable
{
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int code, string stdout, string stderr) Run(params string[] args) => BenchAnnTestData.Run(args);

    private void WriteDataset(int n, int nq) => BenchAnnTestData.WriteDataset(_dir, n, nq, "l2", depth: 10);

    [Fact]
    public void Sweeps_nprobe_and_refine_from_one_build()
    {
        WriteDataset(n: 3000, nq: 40);
        string json = Path.Combine(_dir, "bench.json");
        var (code, stdout, stderr) = Run("bench", "ann", "--data", _dir, "--index", "ivfpq", "--nlist", "16", "--m", "4",
            "--nprobe", "1,16", "--refine", "0,50", "--json", json);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(4, rows.Length);
        Assert.All(rows, r => Assert.Equal("ivfpq", r.GetProperty("index").GetString()));
        // Without re-rank a row costs 4 code bytes + 8 id bytes; with re-rank also the 16 float32 values it re-scores from.
        foreach (var r in rows)
        {
            double bytes = r.GetProperty("bytes_per_vector").GetDouble();
            if (r.GetProperty("params").GetString()!.EndsWith("refine=0"))
                Assert.Equal(12.0, bytes);
            else
                Assert.True(bytes >= 12 + 16 * sizeof(float), $"{r}: a re-ranking row must count the float vectors");
        }
        var best = rows.Single(r => r.GetProperty("params").GetString()!.EndsWith("nprobe=16,refine=50"));
        // Measured 0.9975 (every list, refine 50) on all three SIMD settings.
        Assert.True(best.GetProperty("recall_at_10").GetDouble() >= 0.985, best.ToString());
        Assert.Contains("| ivfpq |", stdout);
    }

    [Theory]
    [InlineData("--m", "5", "--m: the dimension 16 is not a multiple of m = 5")]
    [InlineData("--nprobe", "4,0", "--nprobe: '0'")]
    [InlineData("--refine", "x", "--refine: 'x'")]
    [InlineData("--nlist", "5000", "--nlist: 5000 lists")]
    public void Bad_options_exit_2_naming_the_option(string option, string value, string message)
    {
        WriteDataset(n: 300, nq: 5);
        var args = new List<string> { "bench", "ann", "--data", _dir, "--index", "ivfpq", option, value };
        if (option != "--nlist")
            args.AddRange(["--nlist", "4"]);
        if (option != "--m")
            args.AddRange(["--m", "4"]);
        var (code, _, stderr) = Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }
}
