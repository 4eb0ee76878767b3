using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Pipeline.Tests.Registry;

public sealed class RegistryTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    /// <summary>Home answers for a spread of users, then item-page answers for a spread of items.</summary>
    private static async Task<RecommendResponse[]> AnswersAsync(RecommendationPipeline pipeline, RegistryRig rig, int users = 24)
    {
        var answers = new RecommendResponse[2 * users];
        for (int u = 0; u < users; u++)
        {
            answers[u] = await pipeline.RecommendAsync(rig.Request(u * 7 % rig.Planted.Users));
            answers[users + u] = await pipeline.RecommendAsync(rig.Request(u, "item-page") with { ItemId = PlantedCatalog.ItemId(u * 13 % rig.Planted.Items) });
        }
        return answers;
    }

    private static void AssertSameAnswers(RecommendResponse[] expected, RecommendResponse[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int u = 0; u < expected.Length; u++)
        {
            Assert.Equal(expected[u].Items.Select(i => i.ItemId), actual[u].Items.Select(i => i.ItemId));
            Assert.Equal(expected[u].Items.Select(i => i.Score), actual[u].Items.Select(i => i.Score));
            Assert.Equal(expected[u].Items.Select(i => i.Source), actual[u].Items.Select(i => i.Source));
        }
    }

    [Fact]
    public async Task A_version_round_trips_through_the_registry_with_the_same_answers()
    {
        using var rig = new RegistryRig(trained);
        // The in-memory pipeline of the very same models (ServingBootstrap), beside the one loaded from the registry.
        await using var memory = await PipelineHarness.CreateAsync(planted: rig.Planted, models: trained.Models);
        var expected = await AnswersAsync(memory.Pipeline, rig);

        await using (var state = await rig.CreateAsync())
        {
            Assert.Equal("v1", state.ActiveVersionId);
            Assert.Equal("default/v1", state.Pipeline.Version.Name);
            AssertSameAnswers(expected, await AnswersAsync(state.Pipeline, rig));
        }
        var listed = Assert.Single(rig.Registry.List());
        Assert.Equal("v1", listed.Id);
        Assert.Equal(0.5, listed.Metrics["ndcg@10"]);
        Assert.Equal(rig.Planted.Items, listed.Manifest.Items);
        Assert.Equal(rig.Planted.Data.Events.Count, listed.Manifest.Training.Events);
        Assert.Equal(["als", "content", "popularity", "trending"], listed.Manifest.Models.Keys.Order());
        Assert.Equal("HNSW16,efc100", listed.Manifest.Indexes["cf"].Spec);
        Assert.All(listed.Manifest.Files.Values, f => Assert.Equal(64, f.Sha256.Length));
        Assert.Contains("models/als/item_factors.vec", listed.Manifest.Files.Keys);
        Assert.Contains("indexes/cf/graph.bin", listed.Manifest.Files.Keys);
    }
}
