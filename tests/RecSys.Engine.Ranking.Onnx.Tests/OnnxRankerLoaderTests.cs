using System.Text;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Ranking.Onnx.Tests;

/// <summary>
/// Versions of a real registry on disk that ship an ONNX ranker, loaded through <see cref="OnnxRankerLoader"/> on the
/// real ONNX Runtime into a real serving state (FASTER store): served, swapped out and released, refused when the
/// model's feature schema is not what the pipeline fills.
/// </summary>
public sealed class OnnxRankerLoaderTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>, IDisposable
{
    private static readonly OnnxRankerOptions Cpu = new() { ExecutionProvider = OnnxExecutionProvider.Cpu, MaxCandidates = 200, ConcurrentCalls = 2 };

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Keeps the rankers the real loader made, to look at them after their version is gone.</summary>
    private sealed class Keeping(IRankerLoader inner) : IRankerLoader
    {
        public readonly List<OnnxPipelineRanker> Rankers = [];

        public IRanker Load(string path, RegistryVersion version)
        {
            var ranker = (OnnxPipelineRanker)inner.Load(path, version);
            Rankers.Add(ranker);
            return ranker;
        }
    }

    private static bool IsDisposed(OnnxPipelineRanker ranker)
    {
        try
        {
            ranker.Ranker.Score(new float[ranker.Ranker.Schema.Count], 1, new float[1]);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    [Fact]
    public async Task A_version_with_an_mlp_ranker_answers_through_it_and_releases_it_when_swapped_out_and_rolled_back()
    {
        using var rig = new RegistryRig(trained);
        string model = PlantedRanker.TrainMlp(PlantedRanker.Schema(rig.Planted), _dir.File("mlp.onnx"));
        var loader = new Keeping(new OnnxRankerLoader(Cpu));
        await using var state = await rig.CreateAsync("v1", RegistryRig.Options(loader), ranker: model);
        var answer = await state.Pipeline.RecommendAsync(rig.Request(3));
        Assert.Equal("onnx-mlp", answer.Ranker);
        Assert.NotEmpty(answer.Items);
        var first = Assert.Single(loader.Rankers);
        Assert.Equal("CPU", first.Ranker.ExecutionProvider);
        Assert.False(IsDisposed(first));

        rig.AddVersion("v2");
        await state.ActivateAsync("v2");
        Assert.Equal("rrf", (await state.Pipeline.RecommendAsync(rig.Request(3))).Ranker);
        Assert.True(IsDisposed(first), "v1 was swapped out with no request in flight: its ONNX session goes with it");

        await state.RollbackAsync();
        Assert.Equal("v1", state.ActiveVersionId);
        Assert.Equal("onnx-mlp", (await state.Pipeline.RecommendAsync(rig.Request(3))).Ranker);
        Assert.Equal(2, loader.Rankers.Count);
        Assert.False(IsDisposed(loader.Rankers[1]));
    }

    /// <summary>The model's schema JSON with one value changed in place (same length, so the protobuf stays valid).</summary>
    private string Tampered(string model, string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        byte[] bytes = File.ReadAllBytes(model);
        byte[] needle = Encoding.UTF8.GetBytes(from);
        int at = bytes.AsSpan().IndexOf(needle);
        Assert.True(at >= 0, $"'{from}' is not in {model}");
        Encoding.UTF8.GetBytes(to).CopyTo(bytes, at);
        string path = _dir.File("tampered.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("history_window")]
    [InlineData("sources")]
    [InlineData("categories")]
    [InlineData("version")]
    public async Task A_ranker_whose_schema_the_pipeline_does_not_fill_is_refused_naming_the_file_and_the_field(string field)
    {
        using var rig = new RegistryRig(trained);
        var planted = rig.Planted;
        var schema = field switch
        {
            "history_window" => PlantedRanker.Schema(planted, historyWindow: 50),
            "sources" => PlantedRanker.Schema(planted, sources: [.. PlantedRanker.Sources, "als"]),
            "categories" => PlantedRanker.Schema(planted, categories: [.. planted.Data.Catalog!.DistinctCategories(), "opera"]),
            _ => PlantedRanker.Schema(planted),
        };
        string model = PlantedRanker.TrainMlp(schema, _dir.File($"{field}.onnx"));
        if (field == "version")
            model = Tampered(model, "\"version\": 3", "\"version\": 7");
        var loader = new OnnxRankerLoader(Cpu);
        await using var state = await rig.CreateAsync("v1", RegistryRig.Options(loader));
        var bad = rig.AddVersion("v2", ranker: model);
        string file = bad.PathOf(bad.Manifest.Ranker!);

        var refused = Assert.Throws<InvalidDataException>(() => loader.Load(file, bad));
        Assert.Contains(file, refused.Message);
        Assert.Contains(field == "version" ? "feature schema version 7" : $"'{field}'", refused.Message);

        // Activating it is refused the same way, and the version that serves keeps serving.
        var activation = await Assert.ThrowsAsync<InvalidDataException>(() => state.ActivateAsync("v2"));
        Assert.Equal(refused.Message, activation.Message);
        Assert.Equal("v1", state.ActiveVersionId);
        Assert.Equal("v1", rig.Registry.ActiveId);
        Assert.NotEmpty((await state.Pipeline.RecommendAsync(rig.Request(1))).Items);
    }

    [Fact]
    public void A_ranker_file_that_is_not_onnx_is_refused_naming_it()
    {
        using var rig = new RegistryRig(trained);
        string junk = _dir.File("junk.onnx");
        File.WriteAllBytes(junk, [1, 2, 3]);
        var version = rig.AddVersion("v1", ranker: junk);
        string file = version.PathOf(version.Manifest.Ranker!);
        var e = Assert.Throws<InvalidDataException>(() => new OnnxRankerLoader(Cpu).Load(file, version));
        Assert.Contains(file, e.Message);
    }
}
