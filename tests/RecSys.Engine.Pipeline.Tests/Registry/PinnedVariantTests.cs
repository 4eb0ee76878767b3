using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Registry;
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
        var loader = new ReverseRankerLoader();
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
            await state.Pipeline.SetExperimentsAsync([experiment], state);
            string v2Files = Path.Combine(v2.Directory, "indexes", "cf", "vectors.rsv");
            Assert.True(IsMapped(v2Files));
            var seen = new HashSet<(string?, string, string)>();
            for (int u = 0; u < 40; u++)
            {
                var response = await state.Pipeline.RecommendAsync(rig.Request(u));
                seen.Add((response.Variant, response.Version, response.Ranker));
            }
            Assert.Equal(
                [("control", "default/v1", "rrf"), ("v2", "default/v2", "rrf"), ("v3-ranker", "default/v1", "reverse")],
                seen.OrderBy(s => s.Item1, StringComparer.Ordinal));
            // Items updated while the experiment runs reach the pinned version's indexes too.
            await state.Pipeline.DeleteItemAsync(PlantedCatalog.ItemId(0));

            await state.Pipeline.SetExperimentsAsync([]);
            Assert.False(IsMapped(v2Files)); // nothing in flight: released at once
            Assert.True(Assert.Single(loader.Loaded).Disposed);
            Assert.Null((await state.Pipeline.RecommendAsync(rig.Request(1))).Variant);
        }
        finally
        {
            File.Delete(rankerFile);
        }
    }

    private static bool IsMapped(string path) =>
        !OperatingSystem.IsLinux() || File.ReadLines("/proc/self/maps").Any(line => line.EndsWith(" " + Path.GetFullPath(path), StringComparison.Ordinal));

    private sealed class ReverseRankerLoader : IRankerLoader
    {
        public List<ReverseRanker> Loaded { get; } = [];

        public IRanker Load(string path, RegistryVersion version)
        {
            var ranker = new ReverseRanker();
            Loaded.Add(ranker);
            return ranker;
        }
    }

    /// <summary>Ranks the merged candidates in reverse merge order (a ranker that is plainly not the fallback).</summary>
    private sealed class ReverseRanker : IRanker, IDisposable
    {
        public bool Disposed { get; private set; }

        public string Name => "reverse";

        public bool NeedsFeatures => false;

        public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
        {
            for (int i = 0; i < input.Count; i++)
                scores.Span[i] = i;
            return ValueTask.CompletedTask;
        }

        public void Dispose() => Disposed = true;
    }
}
