using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Serving;

public sealed class PipelineVersionTests
{
    [Fact]
    public async Task Activating_a_version_changes_the_next_answers_and_a_variant_answers_beside_it()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var original = h.Pipeline.Version;
        Assert.Equal("default/models", (await h.RecommendAsync(PlantedCatalog.UserId(1))).Version);

        // A variant: same models and sources, home without exploration and with a stricter cap.
        var variantConfig = PipelineHarness.WithSurface(original.Config, "home", s => s with { ExplorationShare = 0, CategoryCap = 1 }) with { Version = "variant-b" };
        var variant = original.With(variantConfig, h.Catalog);
        Assert.Same(original.Sources["collaborative"], variant.Sources["collaborative"]);
        var viaVariant = await h.Pipeline.RecommendAsync(new Abstractions.RecommendRequest { UserId = PlantedCatalog.UserId(1), NowMs = h.NowMs }, variant);
        Assert.Equal("variant-b/models", viaVariant.Version);
        // Cap 1: the first eight (one per category) are all different; the last two are backfill.
        Assert.Equal(8, viaVariant.Items.Take(8).Select(i => PlantedCatalog.CategoryOf(PlantedCatalog.ItemIndex(i.ItemId))).Distinct().Count());

        Assert.Same(original, h.Pipeline.Activate(variant));
        Assert.Equal("variant-b/models", (await h.RecommendAsync(PlantedCatalog.UserId(1))).Version);
        h.Pipeline.Activate(original);
        Assert.Equal("default/models", (await h.RecommendAsync(PlantedCatalog.UserId(1))).Version);
    }

    [Fact]
    public async Task Default_surfaces_follow_the_models_there_are()
    {
        await using var h = await PipelineHarness.CreateAsync();
        var onlyPopular = new ServingModels { Popularity = h.Models.Popularity };
        var config = PipelineDefaults.Config(onlyPopular);
        Assert.Equal(["home", "email"], config.Surfaces.Select(s => s.Name));
        Assert.Equal(["popular", "new-items"], config.Surface("home").Sources.Select(s => s.Name));
        var version = PipelineVersion.Create(PipelineHarness.Generous(config), onlyPopular, h.Catalog);
        var pipeline = new RecommendationPipeline(h.Store, h.Catalog, version);
        var response = await pipeline.RecommendAsync(new Abstractions.RecommendRequest { UserId = PlantedCatalog.UserId(3), NowMs = h.NowMs });
        Assert.Empty(response.DroppedSources);
        Assert.Equal(10, response.Items.Length);
        Assert.DoesNotContain(response.Items, i => h.TrainingItems(3).Contains(i.ItemId));
    }
}
