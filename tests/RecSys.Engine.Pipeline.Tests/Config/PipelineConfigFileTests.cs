using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Config;

/// <summary>
/// <see cref="PipelineConfigFile"/>: a file changes the defaults it is applied to (what it does not name stays), and
/// every bad input is refused naming the file and the JSON path of the field.
/// </summary>
public sealed class PipelineConfigFileTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(50);

    /// <summary>The shape of <see cref="PipelineDefaults"/>: home with three sources and exploration, email.</summary>
    private static PipelineConfig Defaults() => new()
    {
        Surfaces =
        [
            new()
            {
                Name = "home", Code = 1, MmrLambda = 0.7f, ExplorationShare = 0.1f, ExplorationPick = ExplorationPick.LeastShown, ExplorationPool = 60,
                Sources = [new SourceConfig("collaborative", 200, Budget), new SourceConfig("trending", 50, Budget, 0.01f), new SourceConfig("new-items", 20, Budget, 0.01f)],
            },
            new() { Name = "email", Code = 3, DefaultK = 20, Sources = [new SourceConfig("popular", 50, Budget)] },
        ],
    };

    private const string Json = """
        {"version": "spring-sale", "history_window": 50, "fusion_c": 30, "item_fold_in_users": 5, "category_scan_max_items": 70000,
         "rules": [{"kind": "Exclude", "category": "discontinued"}],
         "surfaces": [
           {"name": "home", "mmr_lambda": 1, "exploration_share": 0, "category_cap": 3, "freshness_half_life_hours": 48,
            "sources": [{"name": "collaborative", "count": 300, "budget": "00:00:00.080"},
                        {"name": "trending", "enabled": false},
                        {"name": "sequence", "count": 100, "weight": 0.2}],
            "rules": [{"kind": "Pin", "item_id": 42, "position": 0}, {"kind": "boost", "category": "sale", "factor": 1.5},
                      {"kind": "Bury", "item_id": 7, "factor": 0.5}, {"kind": "Exclude", "item_id": 9}]},
           {"name": "deals", "code": 5, "default_k": 5, "sources": [{"name": "popular", "count": 40}]}]}
        """;

    [Fact]
    public void A_file_changes_what_it_names_and_keeps_the_rest()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("pipeline.json"), Json);
        var defaults = Defaults();
        var file = PipelineConfigFile.Read(dir.File("pipeline.json"));
        Assert.Equal(dir.File("pipeline.json"), file.Source);
        var config = file.Apply(defaults, TimeSpan.FromMilliseconds(70));

        Assert.Equal(("spring-sale", 50, 30f, 5, 70_000), (config.Version, config.HistoryWindow, config.FusionC, config.ItemFoldInUsers, config.CategoryScanMaxItems));
        Assert.Equal(defaults.SeedItems, config.SeedItems);
        Assert.Equal(new BusinessRule { Kind = RuleKind.Exclude, Category = "discontinued" }, Assert.Single(config.Rules));
        Assert.Equal(["home", "email", "deals"], config.Surfaces.Select(s => s.Name));

        var home = config.Surface("home");
        Assert.Equal((1f, 0f, 3, 48.0), (home.MmrLambda, home.ExplorationShare, home.CategoryCap, home.FreshnessHalfLifeHours));
        // Not in the file: as the defaults have it.
        Assert.Equal((ExplorationPick.LeastShown, 60, 1, 10), (home.ExplorationPick, home.ExplorationPool, home.Code, home.DefaultK));
        // Changed in place (the weight kept), dropped, added with the caller's budget.
        Assert.Equal(
            [
                new SourceConfig("collaborative", 300, TimeSpan.FromMilliseconds(80)),
                new SourceConfig("new-items", 20, Budget, 0.01f),
                new SourceConfig("sequence", 100, TimeSpan.FromMilliseconds(70), 0.2f),
            ],
            home.Sources);
        Assert.Equal(
            [
                new BusinessRule { Kind = RuleKind.Pin, ItemId = 42, Position = 0 },
                new BusinessRule { Kind = RuleKind.Boost, Category = "sale", Factor = 1.5f },
                new BusinessRule { Kind = RuleKind.Bury, ItemId = 7, Factor = 0.5f },
                new BusinessRule { Kind = RuleKind.Exclude, ItemId = 9 },
            ],
            home.Rules);

        Assert.Same(defaults.Surfaces[1], config.Surface("email"));
        var deals = config.Surface("deals");
        Assert.Equal((5, 5, 200), (deals.Code, deals.DefaultK, deals.MaxK));
        Assert.Equal(new SourceConfig("popular", 40, TimeSpan.FromMilliseconds(70)), Assert.Single(deals.Sources));
    }

    [Fact]
    public void Applied_to_models_it_starts_from_their_defaults_with_the_servers_source_budget()
    {
        // No models: the defaults' home and email have only the new-items source.
        var models = new ServingModels();
        var file = PipelineConfigFile.Parse("""
            {"surfaces": [{"name": "home", "sources": [{"name": "new-items", "count": 5}]},
                          {"name": "email", "sources": [{"name": "new-items", "budget": "00:00:02"}]}]}
            """);
        var config = file.Apply(models, TimeSpan.FromSeconds(1));
        var expected = PipelineDefaults.Config(models).WithSourceBudget(TimeSpan.FromSeconds(1));
        Assert.Equal(expected.Surfaces.Select(s => s.Name), config.Surfaces.Select(s => s.Name));
        Assert.Equal(new SourceConfig("new-items", 5, TimeSpan.FromSeconds(1), 0.01f), Assert.Single(config.Surface("home").Sources));
        // A budget the file gives wins over the server's.
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.Single(config.Surface("email").Sources).Budget);
        Assert.Equal(expected.Surface("home") with { Sources = config.Surface("home").Sources }, config.Surface("home"));

        // Without a server budget: the defaults' 50 ms.
        Assert.Equal(PipelineDefaults.SourceBudget, Assert.Single(file.Apply(models).Surface("home").Sources).Budget);
        // An empty file serves the defaults.
        var defaults = Defaults();
        Assert.Equal(defaults, PipelineConfigFile.Parse("{}").Apply(defaults, Budget) with { Surfaces = defaults.Surfaces });
        Assert.Equal(defaults.Surfaces, PipelineConfigFile.Parse("{}").Apply(defaults, Budget).Surfaces);
    }

    private static string Home(string fields) => $$"""{"surfaces": [{"name": "home", {{fields}}}]}""";

    [Theory]
    // Read: the JSON, the field names and types, names listed twice.
    [InlineData("""{"surfaces": [{"name": "home", "mmr_lamda": 0.5}]}""", "surfaces[0].mmr_lamda")]
    [InlineData("""{"surface": []}""", "'surface'")]
    [InlineData("""{"surfaces": [{"name": "home", "category_cap": "two"}]}""", "surfaces[0].category_cap")]
    [InlineData("""{"surfaces": [{"name": "home", "exploration_pick": "Greedy"}]}""", "surfaces[0].exploration_pick")]
    [InlineData("""{"surfaces": [{"mmr_lambda": 0.5}]}""", "'name'")]
    [InlineData("""{"surfaces": [null]}""", "surfaces[0] is null")]
    [InlineData("""{"surfaces": [{"name": "home"}, {"name": "email"}, {"name": "home"}]}""", "surfaces[2].name: surface 'home' is listed twice")]
    [InlineData("""{"surfaces": [{"name": " "}]}""", "surfaces[0].name")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "trending", "count": 5}, {"name": "trending", "count": 6}]}]}""", "surfaces[0].sources[1].name: source 'trending' is listed twice")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "trending", "budget": "50ms"}]}]}""", "surfaces[0].sources[0].budget")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Promote", "item_id": 1}]}]}""", "surfaces[0].rules[0].kind")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"item_id": 1}]}]}""", "'kind'")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [null]}]}""", "surfaces[0].rules[0] is null")]
    [InlineData("""{"version": ""}""", "version")]
    // Applied: the config's own checks, at the field they refuse.
    [InlineData("""{"surfaces": [{"name": "home", "mmr_lambda": 1.5}]}""", "surfaces[0].mmr_lambda: surface 'home': must be in [0, 1] (got 1.5)")]
    [InlineData("""{"surfaces": [{"name": "home", "exploration_share": 1}]}""", "surfaces[0].exploration_share")]
    [InlineData("""{"surfaces": [{"name": "home", "category_cap": -1}]}""", "surfaces[0].category_cap")]
    [InlineData("""{"surfaces": [{"name": "home", "freshness_half_life_hours": -2}]}""", "surfaces[0].freshness_half_life_hours")]
    [InlineData("""{"surfaces": [{"name": "email", "max_k": 10}]}""", "surfaces[0].default_k")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "trending", "count": -1}]}]}""", "surfaces[0].sources[0].count: surface 'home': source 'trending' count must be >= 1 (got -1)")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "trending", "budget": "00:00:00"}]}]}""", "surfaces[0].sources[0].budget")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "trending", "budget": "00:05:00"}]}]}""", "surfaces[0].sources[0].budget")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "trending", "weight": -1}]}]}""", "surfaces[0].sources[0].weight")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "trending", "ef": 0}]}]}""", "surfaces[0].sources[0].ef")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "sequence", "weight": 0.2}]}]}""", "surfaces[0].sources[0].count: surface 'home' has no source 'sequence' yet")]
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "trnding", "enabled": false}]}]}""", "surfaces[0].sources[0].name: surface 'home' has no source 'trnding' to disable")]
    [InlineData("""{"surfaces": [{"name": "email", "sources": [{"name": "popular", "enabled": false}]}]}""", "surfaces[0].sources: surface 'email': needs at least one source")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Pin", "item_id": 1}]}]}""", "surfaces[0].rules[0].position: surface 'home', rule 0: a pin needs a position")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Pin", "category": "sale", "position": 1}]}]}""", "surfaces[0].rules[0].item_id: surface 'home', rule 0: a pin needs an ItemId")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Pin", "item_id": 1, "position": -1}]}]}""", "surfaces[0].rules[0].position")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Boost", "item_id": 1, "factor": 0.5}]}]}""", "surfaces[0].rules[0].factor")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Bury", "item_id": 1}]}]}""", "surfaces[0].rules[0].factor")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": 9, "item_id": 1}]}]}""", "surfaces[0].rules[0].kind: surface 'home', rule 0: unknown rule kind")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Exclude", "item_id": 1, "category": "sale"}]}]}""", "surfaces[0].rules[0].item_id")]
    [InlineData("""{"rules": [{"kind": "Exclude"}]}""", "rules[0].item_id: pipeline-wide, rule 0")]
    [InlineData("""{"surfaces": [{"name": "deals", "sources": [{"name": "popular", "count": 5}]}]}""", "surfaces[0].code: surface 'deals' is not one of this version's (home, email)")]
    [InlineData("""{"surfaces": [{"name": "deals", "code": 5}]}""", "surfaces[0].sources")]
    [InlineData("""{"surfaces": [{"name": "deals", "code": 0, "sources": [{"name": "popular", "count": 5}]}]}""", "surfaces[0].code")]
    [InlineData("""{"surfaces": [{"name": "deals", "code": 1, "sources": [{"name": "popular", "count": 5}]}]}""", "surfaces: surface 'deals': code 1 is taken")]
    // Fields that mean nothing where they stand are refused, not dropped.
    [InlineData("""{"surfaces": [{"name": "home", "sources": [{"name": "popular", "enabled": false, "count": 5}]}]}""", "surfaces[0].sources[0].enabled: surface 'home': source 'popular' is disabled")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Boost", "item_id": 1, "factor": 2, "position": 3}]}]}""", "surfaces[0].rules[0].position: surface 'home', rule 0: only a Pin takes a position")]
    [InlineData("""{"surfaces": [{"name": "home", "rules": [{"kind": "Pin", "item_id": 1, "position": 0, "factor": 2}]}]}""", "surfaces[0].rules[0].factor: surface 'home', rule 0: only Boost and Bury take a factor")]
    [InlineData("""{"rules": [{"kind": "Exclude", "item_id": 1, "factor": 0.5}]}""", "rules[0].factor")]
    [InlineData("""{"history_window": 0}""", "history_window")]
    [InlineData("""{"fusion_c": -1}""", "fusion_c")]
    [InlineData("""{"item_fold_in_users": -1}""", "item_fold_in_users")]
    [InlineData("""{"item_fold_in_users": 129}""", "item_fold_in_users")]
    [InlineData("""{"category_scan_max_items": -1}""", "category_scan_max_items")]
    public void A_bad_input_is_refused_naming_the_file_and_the_field(string json, string field)
    {
        using var dir = new TempDirectory();
        string path = dir.File("pipeline.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidDataException>(() => PipelineConfigFile.Read(path).Apply(Defaults(), Budget));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(field, e.Message);
        var parsed = Assert.Throws<InvalidDataException>(() => PipelineConfigFile.Parse(json, "from a test").Apply(Defaults(), Budget));
        Assert.StartsWith("from a test: ", parsed.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"surfaces": [""")]
    [InlineData("")]
    [InlineData("[]")]
    public void A_file_that_is_not_a_json_object_is_refused_naming_the_file(string text)
    {
        using var dir = new TempDirectory();
        string path = dir.File("pipeline.json");
        File.WriteAllText(path, text);
        var e = Assert.Throws<InvalidDataException>(() => PipelineConfigFile.Read(path));
        Assert.StartsWith(path + ": not a valid pipeline config file: ", e.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => PipelineConfigFile.Read(dir.File("none.json")));
        Assert.Equal(dir.File("none.json"), e.FileName);
    }

    [Fact]
    public void A_source_the_version_lacks_is_explained_at_the_files_field()
    {
        var file = PipelineConfigFile.Parse(Home("""
            "sources": [{"name": "collaborative", "count": 5}, {"name": "colaborative", "count": 5}]
            """), "pipeline.json");
        var e = file.Explain(new UnknownSourceException("home", "colaborative", ["collaborative", "popular"]));
        Assert.NotNull(e);
        Assert.StartsWith("pipeline.json: surfaces[0].sources[1].name: surface 'home' lists source 'colaborative'", e.Message);
        Assert.Contains("have: collaborative, popular", e.Message);
        // Not the file's: a source it does not list there.
        Assert.Null(file.Explain(new UnknownSourceException("home", "trending", [])));
        Assert.Null(file.Explain(new UnknownSourceException("email", "colaborative", [])));
    }
}
