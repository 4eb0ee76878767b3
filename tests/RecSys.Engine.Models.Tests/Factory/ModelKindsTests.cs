using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Popularity;

namespace RecSys.Engine.Models.Tests.Factory;

/// <summary>The model-kind registry: one entry per kind, names as results print them, parse once, build each kind.</summary>
public sealed class ModelKindsTests
{
    [Fact]
    public void Every_kind_has_one_entry_in_enum_order_with_the_names_results_use()
    {
        Assert.Equal(Enum.GetValues<ModelKind>(), ModelKinds.All.Select(i => i.Kind));
        Assert.Equal(["popularity", "trending", "itemknn", "ease", "als", "content", "blend", "ranked", "twotower", "sequence"], ModelKinds.All.Select(i => i.Name));
        Assert.Equal("popularity, trending, itemknn, ease, als, content, blend, ranked, twotower, sequence", ModelKinds.KnownNames);
        Assert.All(ModelKinds.All, i => Assert.Same(i, i.Kind.Info()));
        Assert.All(ModelKinds.All, i => Assert.False(string.IsNullOrWhiteSpace(i.Summary)));
        Assert.Equal([ModelKind.Content], ModelKinds.All.Where(i => i.NeedsItemMetadata).Select(i => i.Kind));
    }

    [Fact]
    public void Names_parse_to_their_kind_exactly()
    {
        foreach (var kind in Enum.GetValues<ModelKind>())
        {
            Assert.Equal(kind, ModelKinds.Parse(kind.Name()));
            Assert.True(ModelKinds.TryParse(kind.Name(), out var parsed));
            Assert.Equal(kind, parsed);
        }
        Assert.False(ModelKinds.TryParse("ALS", out _)); // as today: exact, case-sensitive
        Assert.False(ModelKinds.TryParse(null, out _));
        var e = Assert.Throws<ArgumentException>(() => ModelKinds.Parse("magic"));
        Assert.Contains("unknown model 'magic'", e.Message);
        Assert.Contains(ModelKinds.KnownNames, e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ((ModelKind)99).Name());
    }

    [Fact]
    public void The_factory_builds_each_kind_and_the_model_reports_the_kinds_name()
    {
        var settings = new ModelSettings();
        foreach (var kind in Enum.GetValues<ModelKind>())
        {
            var model = ModelFactory.Create(kind, settings);
            Assert.Equal(kind.Name(), model.Name);
        }
    }

    [Fact]
    public void The_factory_passes_the_settings_each_kind_reads()
    {
        var settings = new ModelSettings { EaseLambda = 123f, EaseDropout = 0.25f, KnnNeighbors = 7, TrendingHalfLifeDays = 9 };
        var ease = (Ease)ModelFactory.Create(ModelKind.Ease, settings);
        Assert.Equal((123f, 0.25f), (ease.Lambda, ease.Dropout));
        Assert.Equal(7, ((ItemKnn)ModelFactory.Create(ModelKind.ItemKnn, settings)).Neighbors);
        var trending = (PopularityModel)ModelFactory.Create(ModelKind.Trending, settings);
        Assert.Equal((9.0, true), (trending.Options.HalfLifeDays, trending.Options.BySegment));
        var popularity = (PopularityModel)ModelFactory.Create(ModelKind.Popularity, settings);
        Assert.Equal((double.PositiveInfinity, false), (popularity.Options.HalfLifeDays, popularity.Options.BySegment));
    }

    [Fact]
    public void Blend_sources_come_by_kind_in_kind_order_without_zero_weights()
    {
        var settings = new ModelSettings
        {
            BlendWeights = new Dictionary<string, float> { ["als"] = 1f, ["trending"] = 0.5f, ["ease"] = 0f, ["unknown-but-off"] = 0f },
        };
        Assert.Equal([(ModelKind.Trending, 0.5f), (ModelKind.Als, 1f)], settings.BlendSources());
        var blend = ModelFactory.CreateBlend(settings, null);
        Assert.Equal(["trending", "als"], blend.Sources.Select(s => s.Source.Name));
        Assert.Equal([(ModelKind.Ease, 1f), (ModelKind.Als, 1f)], new ModelSettings().BlendSources());

        var unknown = settings with { BlendWeights = new Dictionary<string, float> { ["magic"] = 1f } };
        Assert.Contains("unknown model 'magic'", Assert.Throws<ArgumentException>(() => unknown.BlendSources()).Message);
        var itself = settings with { BlendWeights = new Dictionary<string, float> { ["blend"] = 1f } };
        Assert.Contains("itself", Assert.Throws<ArgumentException>(() => itself.BlendSources()).Message);
    }
}
