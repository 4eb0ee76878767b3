using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Experiments;

public sealed class ExperimentConfigFileTests
{
    private const string Json = """
        {"experiments": [{"name": "home-diversity", "salt": "2025-06", "surfaces": ["home"],
          "variants": [{"name": "control", "share": 0.25},
                       {"name": "capped", "share": 0.75, "category_cap": 1, "exploration_share": 0, "mmr_lambda": 0.9,
                        "exploration_pick": "LeastShown", "exploration_pool": 30, "exploration_placement": "Tail",
                        "exploration_established_impressions": 4,
                        "sources": [{"name": "collaborative", "count": 100, "budget": "00:00:10", "weight": 1},
                                    {"name": "popular", "count": 50, "budget": "00:00:10", "weight": 0.2}]}]}]}
        """;

    [Fact]
    public async Task Experiments_from_a_file_run_as_written()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("experiments.json"), Json);
        var experiments = ExperimentConfigFile.Read(dir.File("experiments.json"));
        var capped = Assert.Single(experiments).Variants[1];
        Assert.Equal((0.75, 1, 0f, 0.9f), (capped.Share, capped.CategoryCap, capped.ExplorationShare, capped.MmrLambda));
        Assert.Equal((RecSys.Engine.Pipeline.Config.ExplorationPick.LeastShown, 30), (capped.ExplorationPick, capped.ExplorationPool));
        var surface = capped.Apply(new RecSys.Engine.Pipeline.Config.PipelineConfig { Surfaces = [new() { Name = "home", Code = 1, Sources = capped.Sources! }] }, experiments[0]).Surface("home");
        Assert.Equal((RecSys.Engine.Pipeline.Config.ExplorationPick.LeastShown, 30), (surface.ExplorationPick, surface.ExplorationPool));
        Assert.Equal(RecSys.Engine.Pipeline.Config.ExplorationPlacement.Tail, surface.ExplorationPlacement);
        Assert.Equal(4, surface.ExplorationEstablishedImpressions);
        Assert.Equal(["collaborative", "popular"], capped.Sources!.Select(s => s.Name));
        Assert.Equal((50, TimeSpan.FromSeconds(10), 0.2f), (capped.Sources![1].Count, capped.Sources[1].Budget, capped.Sources[1].Weight));
        var again = ExperimentConfigFile.Parse(ExperimentConfigFile.Write(experiments));
        Assert.Equal(experiments[0].Variants[1].Sources, again[0].Variants[1].Sources);

        await using var h = await PipelineHarness.CreateAsync();
        await h.Pipeline.SetExperimentsAsync(experiments);
        Abstractions.RecommendResponse? response = null;
        for (int u = 0; response is null; u++)
        {
            var r = await h.RecommendAsync(PlantedCatalog.UserId(u));
            if (r.Variant == "capped")
                response = r;
        }
        Assert.Equal("home-diversity", response.Experiment);
        Assert.All(response.Items, i => Assert.Contains(i.Source, new[] { "collaborative", "popular" }));
    }

    /// <summary>A variant of the valid file's shape with one fault in it.</summary>
    private static string With(string variant) =>
        $$"""{"experiments": [{"name": "e", "salt": "s", "variants": [{"name": "control", "share": 0.5}, {{variant}}]}]}""";

    [Theory]
    [InlineData("""{"experiments": [{"name": "e", "salt": 3, "variants": []}]}""", "experiments[0].salt")]
    [InlineData("""{"experiments": [{"name": null, "salt": "s", "variants": []}]}""", "experiments[0].name")]
    [InlineData("""{"experiments": [{"name": "e", "salt": "s"}]}""", "'variants'")]
    [InlineData("""{"experiment": []}""", "'experiment'")]
    [InlineData("""{"experiments": [null]}""", "experiments[0] is null")]
    [InlineData("""{"experiments": [""", "line 1")]
    public void A_file_that_does_not_parse_is_refused_naming_the_file_and_the_field(string json, string field) =>
        AssertRefused(json, field);

    [Theory]
    [InlineData("""{"name": "b", "share": 0.5, "mmr_lamda": 0.9}""", "experiments[0].variants[1].mmr_lamda")]
    [InlineData("""{"name": "b", "share": "half"}""", "experiments[0].variants[1].share")]
    [InlineData("""{"name": "b", "share": 0.5, "sources": [{"name": "popular", "count": 5, "budget": "10ms"}]}""", "experiments[0].variants[1].sources[0].budget")]
    [InlineData("""{"name": "b", "share": 0.5, "sources": [{"name": "popular", "count": 5}]}""", "'budget'")]
    [InlineData("""{"name": "b", "share": 0.4}""", "shares add up to")]
    [InlineData("""{"name": "control", "share": 0.5}""", "variant 'control' defined twice")]
    [InlineData("""{"name": "b", "share": 0.5, "sources": []}""", "Sources")]
    public void A_variant_with_a_fault_is_refused_naming_the_file_and_the_field(string variant, string field) =>
        AssertRefused(With(variant), field);

    private static void AssertRefused(string json, string field)
    {
        using var dir = new TempDirectory();
        string path = dir.File("experiments.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidDataException>(() => ExperimentConfigFile.Read(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(field, e.Message);
        var parsed = Assert.Throws<InvalidDataException>(() => ExperimentConfigFile.Parse(json, "from the admin call"));
        Assert.StartsWith("from the admin call: ", parsed.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => ExperimentConfigFile.Read(dir.File("none.json")));
        Assert.Equal(dir.File("none.json"), e.FileName);
    }
}
