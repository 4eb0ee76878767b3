using System.CommandLine;
using System.Text.Json;
using RecSys.Engine.Cli;
using RecSys.Engine.Cli.Commands;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>`recsys eval --models pipeline` evaluates the serving pipeline beside the models.</summary>
public sealed class EvalPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-eval-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_pipeline_gets_a_row_of_its_own()
    {
        string path = Path.Combine(_dir, "events.csv");
        var lines = new List<string> { "user,item,value,timestamp" };
        // Four groups of users, each with its ten items (every user takes them all, starting at a different one): the
        // two held out per user are items the user's group took.
        for (int u = 0; u < 40; u++)
            for (int i = 0; i < 10; i++)
                lines.Add($"{u},{100 + (u % 4) * 10 + (u + i) % 10},1,{1000 + i}");
        File.WriteAllLines(path, lines);
        string json = Path.Combine(_dir, "eval.json");
        var root = new RootCommand("test") { EvalCommand.Create() };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliRunner.Run(root, ["eval", "--data", path, "--format", "csv", "--split", "temporal:2", "--models", "popularity,pipeline",
            "--factors", "8", "--iterations", "3", "--ranker-gate", "off", "--json", json], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("model").GetString()!);
        Assert.Equal(["popularity", "pipeline"], rows.Keys);
        Assert.True(rows["pipeline"].GetProperty("ndcg_at_10").GetDouble() > 0);
        Assert.Contains("trained pipeline", stderr.ToString());
        Assert.Contains("ranker=gbdt", stderr.ToString()); // the default: a GBDT trained on the pipeline's own rows (served whatever it scores: gate off)
        Assert.Contains("pipeline ranker rows", stderr.ToString());

        // Alone, and an unknown name still names --models.
        code = CliRunner.Run(root, ["eval", "--data", path, "--format", "csv", "--split", "temporal:2", "--models", "pipeline", "--factors", "8", "--iterations", "3"],
            new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        var bad = new StringWriter();
        Assert.Equal(2, CliRunner.Run(root, ["eval", "--data", path, "--format", "csv", "--models", "pipeline,magic"], new StringWriter(), bad));
        Assert.Contains("--models", bad.ToString());

        // Rank fusion (no ranker), and the pipeline options' bad values name the option.
        var none = new StringWriter();
        Assert.Equal(0, CliRunner.Run(root, ["eval", "--data", path, "--format", "csv", "--split", "temporal:2", "--models", "pipeline", "--factors", "8", "--iterations", "3",
            "--pipeline-ranker", "none", "--pipeline-post", "off"], new StringWriter(), none));
        Assert.Contains("ranker=rrf", none.ToString());
        foreach (var (option, value) in new[] { ("--pipeline-ranker", "forest"), ("--pipeline-post", "maybe"), ("--pipeline-grid", "0.9"), ("--pipeline-grid", "2:0.1"), ("--ranker-gate", "maybe") })
        {
            bad = new StringWriter();
            Assert.Equal(2, CliRunner.Run(root, ["eval", "--data", path, "--format", "csv", "--models", "pipeline", option, value], new StringWriter(), bad));
            Assert.Contains(option, bad.ToString());
        }
    }
}
