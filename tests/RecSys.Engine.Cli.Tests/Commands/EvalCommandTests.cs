using System.CommandLine;
using System.Text.Json;
using RecSys.Engine.Cli;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var root = new RootCommand("test");
        root.Add(EvalCommand.Create());
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliRunner.Run(root, args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The standard protocol on ML-100K (seed 42, random 75/25 per user, top 10) for the fast models.</summary>
    [Fact]
    public void MovieLens100K_Smoke_MeetsTheQualityBar_AndWritesJson()
    {
        string json = Path.Combine(_dir, "eval.json");
        var (code, stdout, stderr) = Run("eval", "--data", Datasets.MovieLens100K(), "--format", "ml100k", "--split", "random:0.75",
            "--k", "10", "--models", "popularity,ease,als,blend", "--seed", "42", "--json", json);
        Assert.True(code == 0, stderr);
        Assert.Contains("ndcg@10", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("model").GetString()!);
        Assert.Equal(["popularity", "ease", "als", "blend"], rows.Keys);
        foreach (string key in new[] { "ndcg_at_10", "recall_at_10", "precision_at_10", "map_at_10", "mrr", "hit_rate", "coverage", "diversity", "novelty" })
            Assert.True(rows["als"].TryGetProperty(key, out _), key);
        double ndcg(string m) => rows[m].GetProperty("ndcg_at_10").GetDouble();
        Assert.True(ndcg("als") >= 0.47, $"als {ndcg("als")}");
        Assert.True(ndcg("ease") >= 0.47, $"ease {ndcg("ease")}");
        Assert.True(ndcg("blend") >= 0.49, $"blend {ndcg("blend")}");
        Assert.True(ndcg("popularity") < ndcg("als") - 0.1);
    }

    [Fact]
    public void Csv_TemporalSplit_IsDeterministic()
    {
        string path = Path.Combine(_dir, "events.csv");
        var lines = new List<string> { "user,item,value,timestamp" };
        for (int u = 0; u < 30; u++)
            for (int i = 0; i < 12; i++)
                lines.Add($"u{u},i{(u * 7 + i * 3) % 40},1,{1000 + i}");
        File.WriteAllLines(path, lines);
        string[] args = ["eval", "--data", path, "--format", "csv", "--split", "temporal:2", "--models", "popularity,itemknn,als", "--factors", "8", "--iterations", "3"];
        var first = Run([.. args, "--json", Path.Combine(_dir, "a.json")]);
        var second = Run([.. args, "--json", Path.Combine(_dir, "b.json")]);
        Assert.True(first.Code == 0, first.Stderr);
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "a.json")).Split("train_seconds")[0], File.ReadAllText(Path.Combine(_dir, "b.json")).Split("train_seconds")[0]);
    }

    [Theory]
    [InlineData("--split", "random:1.5", "--split")]
    [InlineData("--split", "temporal:0", "--split")]
    [InlineData("--split", "cut:soon", "--split")]
    [InlineData("--models", "als,magic", "magic")]
    [InlineData("--format", "parquet", "--format")]
    [InlineData("--k", "0", "--k")]
    [InlineData("--factors", "0", "--factors")]
    [InlineData("--ranker", "gbdt", "--ranker")]
    public void BadOption_ExitsTwo(string option, string value, string named)
    {
        string path = Path.Combine(_dir, "ok.csv");
        File.WriteAllText(path, "a,1\nb,1\na,2\n");
        var args = new Dictionary<string, string> { ["--format"] = "csv", ["--models"] = "popularity" };
        args[option] = value;
        var (code, _, stderr) = Run(["eval", "--data", path, .. args.SelectMany(p => new[] { p.Key, p.Value })]);
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains(named, stderr);
    }

    [Fact]
    public void Content_WithoutMetadata_IsLeftOutByDefault_AndAnErrorWhenAskedFor()
    {
        string path = Path.Combine(_dir, "plain.csv");
        File.WriteAllText(path, "a,1\na,2\nb,1\nb,2\nc,2\nc,3\n");
        var byDefault = Run("eval", "--data", path, "--format", "csv", "--factors", "4");
        Assert.True(byDefault.Code == 0, byDefault.Stderr);
        Assert.Contains("content model is left out", byDefault.Stderr);
        var asked = Run("eval", "--data", path, "--format", "csv", "--models", "content");
        Assert.Equal(CliRunner.ExitBadInput, asked.Code);
        Assert.Contains("item metadata", asked.Stderr);
    }

    [Fact]
    public void BadRow_ExitsTwo_NamingTheLine_UnlessSkipped()
    {
        string path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, "a,1,1,1\nb,1,x,1\na,2,1,2\nb,2,1,3\na,3,1,3\n");
        var (code, _, stderr) = Run("eval", "--data", path, "--format", "csv", "--models", "popularity");
        Assert.Equal(CliRunner.ExitBadInput, code);
        Assert.Contains("bad.csv:2:", stderr);
        var skipped = Run("eval", "--data", path, "--format", "csv", "--models", "popularity", "--skip-bad");
        Assert.True(skipped.Code == 0, skipped.Stderr);
        Assert.Contains("skipped 1 bad rows", skipped.Stderr);
    }
}
