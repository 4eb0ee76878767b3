using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Tests.Support;

namespace RecSys.Engine.Pipeline.Tests.Registry;

/// <summary>Experiment variants that name registry versions: a whole version, or only its ranker, loaded through the serving state.</summary>
public sealed class PinnedVariantTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    [Fact]
    public async Task A_variant_serves_another_registry_version_or_its_ranker_and_lets_go_of_them_when_stopped()
    {
        using var rig = new RegistryRig(trained);
        string rankerFile = Path.Combine(Path.GetTempPath(), $"ranker-{Guid.NewGuid():N}.onnx");
        await File.WriteAllBytesAsync(rankerFile, "ranker bytes"u8.ToArray());
        var loader = new TestRankerLoader();
        try
        {
            await using var state = await rig.CreateAsync(options: RegistryRig.Options(loader));
            var v2 = rig.AddVersion("v2", cfIndex: "Flat");
            rig.AddVersion("v3", ranker: rankerFile);
            var experiment = new ExperimentConfig
            {
                Name = "models",
                Salt = "m",
                Surfaces = ["home"],
                Variants =
                [
                    new() { Name = "control", Share = 1.0 / 3 },
                    new() { Name = "v2", Share = 1.0 / 3, Version = "v2" },
                    new() { Name = "v3-ranker", Share = 1.0 / 3, Ranker = "v3" },
                ],
            };
            await state.SetExperimentsAsync([experiment]);
            string v2Files = Path.Combine(v2.Directory, "indexes", "cf", "vectors.rsv");
            MappedFiles.AssertMapped(v2Files, expected: true);
            var seen = new HashSet<(string?, string, string)>();
            for (int u = 0; u < 40; u++)
            {
                var response = await state.Pipeline.RecommendAsync(rig.Request(u));
                seen.Add((response.Variant, response.Version, response.Ranker));
            }
            Assert.Equal(
                [("control", "default/v1", "rrf"), ("v2", "default/v2", "rrf"), ("v3-ranker", "default/v1", "test")],
                seen.OrderBy(s => s.Item1, StringComparer.Ordinal));
            // Items updated while the experiment runs reach the pinned version's indexes too.
            await state.Pipeline.DeleteItemAsync(PlantedCatalog.ItemId(0));

            await state.Pipeline.SetExperimentsAsync([]);
            MappedFiles.AssertMapped(v2Files, expected: false); // nothing in flight: released at once
            Assert.True(Assert.Single(loader.Loaded).Disposed);
            Assert.Null((await state.Pipeline.RecommendAsync(rig.Request(1))).Variant);
        }
        finally
        {
            File.Delete(rankerFile);
        }
    }
}
