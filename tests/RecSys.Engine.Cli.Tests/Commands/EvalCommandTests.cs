using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using RecSys.Engine.Cli;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout, string Stderr) Run(params string[] args) => CommandRun.Run(EvalCommand.Create(), args);

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
        // Measured NDCG@10: als 0.4959, ease 0.4869, blend 0.4976, popularity 0.2573, the same with the SIMD paths off.
        Assert.True(ndcg("als") >= 0.485, $"als {ndcg("als")} (measured 0.4959)");
        Assert.True(ndcg("ease") >= 0.476, $"ease {ndcg("ease")} (measured 0.4869)");
        Assert.True(ndcg("blend") >= 0.49, $"blend {ndcg("blend")} (measured 0.4976)");
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
        Assert.True(second.Code == 0, second.Stderr);
        var a = RowsWithoutTimings(Path.Combine(_dir, "a.json"));
        var b = RowsWithoutTimings(Path.Combine(_dir, "b.json"));
        string[] models = ["popularity", "itemknn", "als"];
        Assert.Equal(models, a.Select(r => r["model"]!.GetValue<string>()));
        Assert.Equal(models, b.Select(r => r["model"]!.GetValue<string>()));
        // Every model's row, every metric and parameter: only the wall-clock training time may differ.
        for (int i = 0; i < models.Length; i++)
            Assert.Equal(a[i].ToJsonString(), b[i].ToJsonString());
    }

    /// <summary>
    /// Under a temporal split the ranker's training rows are labelled by the same protocol on the training part (each
    /// user's latest events), not by the ranker's own random 75/25 split.
    /// </summary>
    [Fact]
    public void MovieLens100K_TemporalSplit_RankedLabelsItsTrainingRowsByTheTemporalSplit()
    {
        string json = Path.Combine(_dir, "ranked.json");
        var (code, _, stderr) = Run("eval", "--data", Datasets.MovieLens100K(), "--format", "ml100k", "--split", "temporal:10",
            "--k", "10", "--models", "ranked", "--ranker", "gbdt", "--seed", "42", "--json", json);
        Assert.True(code == 0, stderr);
        string parameters = RowsWithoutTimings(json).Single()["parameters"]!.GetValue<string>();
        Assert.Contains("label_split=given", parameters);
        Assert.DoesNotContain("fit_fraction=", parameters);
    }

    /// <summary>
    /// --tune-splits N under a random split: N validation splits of the training part, the first the one a single split
    /// used (so N = 1 tunes as before), each a different split; a deterministic protocol has exactly one.
    /// </summary>
    [Fact]
    public void ValidationSplits_AreDistinctRandomSplits_AndOneForATemporalSplit()
    {
        var set = RecSys.Engine.Models.Data.MovieLens100KLoader.Load(Datasets.MovieLens100K());
        var splits = EvalCommand.ValidationSplits("random:0.75", 42, 0.25, 3);
        Assert.Equal(3, splits.Count);
        string Held(Func<RecSys.Engine.Models.Data.InteractionSet, RecSys.Engine.Models.Data.DataSplit> split)
        {
            var test = split(set).Test;
            return string.Join(";", Enumerable.Range(0, test.Count).Select(e => ((long)test.UserOrdinals[e] << 32) | (uint)test.ItemOrdinals[e]).Order());
        }
        Assert.Equal(Held(EvalCommand.ValidationSplit("random:0.75", 42, 0.25)), Held(splits[0]));
        Assert.Equal(3, splits.Select(Held).Distinct().Count());
        // The same protocol each time: every split holds out the same number of each user's events.
        Assert.Single(splits.Select(split => split(set).Test.Count).Distinct());
        Assert.Single(EvalCommand.ValidationSplits("temporal:2", 42, 0.25, 3));
    }

    [Fact]
    public void TuneSplits_TunesOnThatManySplits_AndATemporalSplitSaysItHasOne()
    {
        var (code, stdout, stderr) = Run("eval", "--data", Datasets.MovieLens100K(), "--format", "ml100k", "--models", "trending",
            "--tune", "--tune-splits", "2", "--seed", "42");
        Assert.True(code == 0, stderr);
        Assert.Contains("tuned on 2 validation splits of the training part (mean NDCG):", stdout);
        Assert.Equal(5, stderr.Split('\n').Count(l => l.StartsWith("tune trending", StringComparison.Ordinal)));

        (code, stdout, stderr) = Run("eval", "--data", Datasets.MovieLens100K(), "--format", "ml100k", "--models", "trending",
            "--split", "temporal:10", "--tune", "--tune-splits", "2", "--seed", "42");
        Assert.True(code == 0, stderr);
        Assert.Contains("note: --split temporal:10 has one validation split", stderr);
        Assert.Contains("tuned on a validation split of the training part:", stdout);
    }

    private static JsonObject[] RowsWithoutTimings(string path)
    {
        var rows = JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(r => r!.AsObject()).ToArray();
        foreach (var row in rows)
            Assert.True(row.Remove("train_seconds"), $"{path}: a row without train_seconds");
        return rows;
    }

    [Theory]
    [InlineData("--split", "random:1.5", "--split")]
    [InlineData("--split", "temporal:0", "--split")]
    [InlineData("--split", "cut:soon", "--split")]
    [InlineData("--models", "als,magic", "magic")]
    [InlineData("--format", "parquet", "--format")]
    [InlineData("--k", "0", "--k")]
    [InlineData("--factors", "0", "--factors")]
    [InlineData("--ease-dropout", "1", "--ease-dropout")]
    [InlineData("--ease-dropout", "-0.5", "--ease-dropout")]
    [InlineData("--ease-lambda", "0", "--ease-lambda")]
    [InlineData("--ranker", "xgboost", "--ranker")]
    [InlineData("--tune-splits", "0", "--tune-splits")]
    [InlineData("--tune-splits", "11", "--tune-splits")]
    [InlineData("--tune-splits", "3", "--tune-splits needs --tune")]
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
