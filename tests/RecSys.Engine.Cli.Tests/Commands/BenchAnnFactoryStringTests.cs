using System.Text.Json;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>`bench ann --index` takes index factory strings beside the names, and checks options by the library's rules.</summary>
public class BenchAnnFactoryStringTests : IDisposable
{
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int code, string stdout, string stderr) Run(params string[] args) => BenchAnnTestData.Run(args);

    private static JsonElement[] Rows(string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return [.. doc.RootElement.EnumerateArray().Select(r => r.Clone())];
    }

    [Theory]
    [InlineData("flat", new[] { "flat" })]
    [InlineData("HNSW32,efc100", new[] { "HNSW32,efc100" })]
    [InlineData("flat,HNSW32,efc100,bf16,hnsw", new[] { "flat", "HNSW32,efc100,bf16", "hnsw" })]
    [InlineData("IVF256, PQ8 ,R0,usearch,ivfpq", new[] { "IVF256,PQ8,R0", "usearch", "ivfpq" })]
    [InlineData("hnsw-bf16,efc100", new[] { "hnsw-bf16", "efc100" })] // options continue a factory string, not a name
    [InlineData("flat,annoy,HNSW8", new[] { "flat", "annoy", "HNSW8" })]
    public void The_index_list_splits_between_indexes_not_inside_factory_strings(string text, string[] expected)
    {
        Assert.Equal(expected, BenchCommand.SplitIndexList(text));
    }

    [Fact]
    public void A_factory_string_runs_the_same_index_as_the_name_with_the_same_flags()
    {
        BenchAnnTestData.WriteDataset(_dir, n: 2000, nq: 30, "l2", depth: 20);
        string byName = Path.Combine(_dir, "name.json"), byString = Path.Combine(_dir, "string.json");
        var (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "hnsw,hnsw-bf16", "--M", "8", "--efc", "64", "--ef", "16,128", "--json", byName);
        Assert.True(code == 0, stderr);
        (code, var stdout, stderr) = Run("bench", "ann", "--data", _dir, "--index", "HNSW8,efc64,HNSW8,efc64,bf16", "--ef", "16,128", "--json", byString);
        Assert.True(code == 0, stderr);
        Assert.Contains("| hnsw | M=8,ef_construction=64,ef=128 |", stdout);

        var a = Rows(byName);
        var b = Rows(byString);
        Assert.Equal(a.Select(r => r.GetProperty("index").GetString()), b.Select(r => r.GetProperty("index").GetString()));
        Assert.Equal(a.Select(r => r.GetProperty("params").GetString()), b.Select(r => r.GetProperty("params").GetString()));
        Assert.Equal(a.Select(r => r.GetProperty("bytes_per_vector").GetDouble()), b.Select(r => r.GetProperty("bytes_per_vector").GetDouble()));
        Assert.True(b[1].GetProperty("recall_at_10").GetDouble() >= 0.95, "HNSW8,efc64 at ef=128");
        Assert.True(b[3].GetProperty("recall_at_10").GetDouble() >= 0.95, "HNSW8,efc64,bf16 at ef=128");
    }

    [Fact]
    public void An_ivfpq_factory_string_keeps_vectors_when_the_sweep_re_ranks()
    {
        BenchAnnTestData.WriteDataset(_dir, n: 3000, nq: 40, "l2", depth: 10);
        string json = Path.Combine(_dir, "ivf.json");
        var (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "flat,IVF16,PQ4", "--nprobe", "16", "--refine", "0,50", "--json", json);
        Assert.True(code == 0, stderr);
        var rows = Rows(json);
        Assert.Equal(["flat", "ivfpq", "ivfpq"], rows.Select(r => r.GetProperty("index").GetString()));
        Assert.StartsWith("nlist=16,m=4,rotate=1,", rows[1].GetProperty("params").GetString());
        Assert.EndsWith("nprobe=16,refine=50", rows[2].GetProperty("params").GetString());
        Assert.True(rows[2].GetProperty("recall_at_10").GetDouble() >= 0.95, rows[2].ToString());
    }

    [Theory]
    [InlineData("HNSW1,efc64", "--index: index spec 'HNSW1,efc64': 'HNSW1': M must be in 2..256")]
    [InlineData("HNSW16,foo", "'foo': not an option of HNSW")]
    [InlineData("IVF16,PQ5", "'PQ5': the dimension 16 is not a multiple of m = 5")]
    [InlineData("IVF5000,PQ4", "'IVF5000': 5000 lists")]
    [InlineData("annoy", "--index: unknown index 'annoy'")]
    public void A_bad_factory_string_exits_2_naming_index_and_the_token(string spec, string message)
    {
        BenchAnnTestData.WriteDataset(_dir, n: 300, nq: 5, "l2", depth: 10);
        var (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", spec);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Theory]
    [InlineData("--k", "0", "--k: k must be at least 1 (got 0)")]
    [InlineData("--ef", "16,0", "--ef: '0': SearchParameters.Ef must be at least 1")]
    [InlineData("--M", "300", "--M: M must be in 2..256 (got 300)")]
    [InlineData("--efc", "0", "--efc: ef construction must be at least 1")]
    [InlineData("--nlist", "0", "--nlist: NList must be at least 1 (got 0)")]
    public void A_bad_flag_exits_2_in_the_rules_words_under_the_flags_name(string option, string value, string message)
    {
        BenchAnnTestData.WriteDataset(_dir, n: 300, nq: 5, "l2", depth: 10);
        var (code, _, stderr) = Run("bench", "ann", "--data", _dir, "--index", "hnsw,ivfpq", "--m", "4", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }
}
