using System.Text.RegularExpressions;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>
/// `recsys demo` end to end in a small mode: the planted catalog, trained models, HNSW indexes, the real gRPC server on a
/// free port, the calls through the generated client; the printed answers are checked against the catalog.
/// </summary>
public sealed partial class DemoCommandTests
{
    private const int Items = 2000;

    [Fact]
    public void SmallDemo_ServesItsTrainedMlpRanker_AnswersEveryCall_AndTheEventChangesTheNextAnswer()
    {
        using var dir = new TempDirectory("recsys-demo-test");
        var (code, stdout, stderr) = CommandRun.Run(DemoCommand.Create(), "demo", "--items", $"{Items}", "--users", "500", "--no-serve", "--port", "0",
            "--source-budget-ms", "10000", // a shared test machine must not drop a source by timing
            "--data-dir", dir.Path);
        Assert.True(code == 0, stderr + stdout);

        // The MLP ranker was trained, beat rank fusion on its validation requests (the gate), was shipped in the version,
        // and ranks every home answer through ONNX Runtime.
        var models = Regex.Match(stdout, @"models: version 'demo'; ranker: mlp v\d+ \(onnx-mlp, ONNX Runtime; \d+ features over sources collaborative, item2item, content, trending, popular, new-items; trained on \d+ candidates of \d+ requests, validation NDCG@10 ([\d.]+), rank fusion ([\d.]+)");
        Assert.True(models.Success, stdout);
        Assert.True(double.Parse(models.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            > double.Parse(models.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), models.Value);
        Assert.DoesNotContain("serving rank fusion", stdout + stderr);
        Assert.DoesNotContain("ranker: rank fusion", stdout);
        // The home answers (before, after, cold start) through it; the item page ranks by fusion (the ranker never saw one).
        Assert.Equal(3, Regex.Matches(stdout, @"version default/demo, ranker onnx-mlp,").Count);
        Assert.Matches(@"SimilarItems: [^\n]*\n  version default/demo, ranker rrf,", stdout);
        var version = RecSys.Engine.Pipeline.Registry.ModelRegistry.Open(Path.Combine(dir.Path, "registry")).Get("demo");
        Assert.NotNull(version.Manifest.Ranker);
        Assert.True(File.Exists(version.PathOf(version.Manifest.Ranker!)));

        var before = ItemsOf(stdout, "[before]");
        var similar = ItemsOf(stdout, "SimilarItems:");
        var after = ItemsOf(stdout, "[after]");
        var cold = ItemsOf(stdout, "(unknown: cold start)");
        foreach (var list in new[] { before, similar, after, cold })
        {
            Assert.NotEmpty(list);
            // Every answer names catalog items: the planted ids are 1000 .. 1000 + Items - 1.
            Assert.All(list, id => Assert.InRange(id, 1000, 1000 + Items - 1));
            Assert.Equal(list.Count, list.Distinct().Count());
        }

        // The user liked items of a category they had barely touched: those are now seen (never recommended again),
        // and the answer moved.
        var liked = Regex.Match(stdout, @"RecordEvents: user \d+ liked (\d+) (\S+) items \(([\d, ]+)\): accepted (\d+)");
        Assert.True(liked.Success, stdout);
        Assert.Equal(liked.Groups[1].Value, liked.Groups[4].Value);
        var likedIds = liked.Groups[3].Value.Split(", ").Select(long.Parse).ToHashSet();
        Assert.DoesNotContain(after, likedIds.Contains);
        Assert.NotEqual(before, after);
        var user = Regex.Match(stdout, @"Recommend: user \d+ \(\d+ events, mostly (c\d)\), home");
        Assert.True(user.Success, stdout);
        string favourite = user.Groups[1].Value;
        int CountOf(string category, List<long> ids) => ids.Count(id => (id - 1000) % 8 == int.Parse(category[1..], System.Globalization.CultureInfo.InvariantCulture));
        // Over the ranked slots only: an exploration slot is a random draw from the pool, not the ranker's answer.
        var beforeRanked = ItemsOf(stdout, "[before]", rankedOnly: true);
        // The answer is personal: most of its ranked slots are the user's favourite category.
        Assert.True(2 * CountOf(favourite, beforeRanked) > beforeRanked.Count, $"{favourite}: {CountOf(favourite, beforeRanked)} of {beforeRanked.Count}\n{stdout}");
        // How far the new taste rises is not asserted here: over seeds and sizes it gains 0 to 3 of the ranked slots (1 at this seed)
        // (bench/results/demo-catalog-2026-12-06), because the planted events have no recency signal for the ranker to
        // learn. What is held: the answer moved, and the liked items are gone (above).

        // An item added live, of the user's favourite category: its page comes from content alone until three users of
        // that category like it; then its folded-in CF row finds CF neighbours too, and they are of its category.
        var added = Regex.Match(stdout, @"UpsertItems: item (\d+) ""A new (c\d) item"" \[c\d\], added now: upserted 1");
        Assert.True(added.Success, stdout);
        Assert.Equal(favourite, added.Groups[2].Value);
        Assert.Matches($@"RecordEvents: users \d+, \d+, \d+ \(mostly {favourite}\) liked item {added.Groups[1].Value}: accepted 3", stdout);
        var page = Regex.Match(stdout, @"-> sources before: ([^;]+); after: (.+)");
        Assert.True(page.Success, stdout);
        Assert.DoesNotContain("similar-cf", page.Groups[1].Value);
        Assert.Contains("similar-cf", page.Groups[2].Value);
        var newAfter = ItemsOf(stdout, "[new item, after]");
        Assert.NotEmpty(newAfter);
        Assert.True(2 * CountOf(favourite, newAfter) > newAfter.Count, $"{favourite}: {CountOf(favourite, newAfter)} of {newAfter.Count}\n{stdout}");

        // The hand-off: address, the run's key, a grpcurl line that uses it.
        var key = Regex.Match(stdout, @"API key \(roles read, write; made for this run\): (\S+)");
        Assert.True(key.Success, stdout);
        Assert.Matches($@"grpcurl -plaintext -H 'x-api-key: {Regex.Escape(key.Groups[1].Value)}' -d '\{{""user"":\{{""num"":""\d+""\}},""k"":5\}}' 127\.0\.0\.1:\d+ recsys\.v1\.Recommender/Recommend", stdout);
        Assert.Contains("stopped", stderr);
    }

    [Theory]
    [InlineData("--items", "10", "--items must be in")]
    [InlineData("--users", "3", "--users must be in")]
    [InlineData("--port", "70000", "--port must be in 0..65535")]
    [InlineData("--source-budget-ms", "0", "--source-budget-ms must be in 1..60000")]
    [InlineData("--movielens", "/no/such/dir", "--movielens: directory '/no/such/dir' does not exist")]
    public void BadOption_IsExit2_NamingIt(string option, string value, string message)
    {
        var (code, _, stderr) = CommandRun.Run(DemoCommand.Create(), "demo", option, value, "--no-serve");
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void NonEmptyDataDirectory_IsRefused()
    {
        using var dir = new TempDirectory("recsys-demo-test");
        File.WriteAllText(dir.File("something"), "x");
        var (code, _, stderr) = CommandRun.Run(DemoCommand.Create(), "demo", "--data-dir", dir.Path, "--no-serve", "--port", "0");
        Assert.Equal(2, code);
        Assert.Contains("--data-dir", stderr);
        Assert.Equal(["something"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    /// <summary>The item ids of the printed answer whose title line contains <paramref name="marker"/>.</summary>
    private static List<long> ItemsOf(string stdout, string marker, bool rankedOnly = false)
    {
        var blocks = stdout.Split("\n\n");
        var block = blocks.FirstOrDefault(b => b.Split('\n')[0].Contains(marker, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no answer marked '{marker}' in:\n{stdout}");
        return [.. ItemLine().Matches(block).Where(m => !rankedOnly || !m.Value.Contains("(explore)", StringComparison.Ordinal))
            .Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];
    }

    [GeneratedRegex(@"^\s+\d+\. item (\d+)\s.*$", RegexOptions.Multiline)]
    private static partial Regex ItemLine();
}
