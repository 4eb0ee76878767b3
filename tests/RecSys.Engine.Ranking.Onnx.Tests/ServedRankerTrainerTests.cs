using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Ranking;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Ranking.Onnx.Tests;

/// <summary>
/// The ranker a version ships (ServedRankerTrainer): rows from the serving pipeline's own sources on the planted
/// catalog (FASTER store, HNSW indexes), labelled by held-out events, trained and exported; ONNX Runtime loads it and
/// its schema names exactly the sources the pipeline runs on the home surface.
/// </summary>
public sealed class ServedRankerTrainerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(RankerKind.Mlp, "mlp")]
    [InlineData(RankerKind.Gbdt, "gbdt")]
    public async Task Rows_come_from_the_pipelines_sources_and_the_exported_ranker_loads_with_their_names(RankerKind kind, string modelKind)
    {
        var planted = new PlantedCatalog();
        string path = _dir.File("ranker.onnx");
        var trained = await ServedRankerTrainer.TrainAsync(planted.Data, new ModelSettings(), models => PipelineDefaults.Config(models), path,
            new ServedRankerOptions { Kind = kind, MaxUsers = 120, PublishedAtMs = planted.PublishedAtMs, NowMs = planted.MaxTimestampSeconds * 1000 });

        Assert.Equal(PlantedRanker.Sources, trained.Schema.Sources);
        Assert.True(trained.Queries >= 100, $"{trained.Queries} queries");
        // Held-out items are found among the candidates (labels are not all zero), and far from all candidates are positives.
        Assert.InRange(trained.PositiveRate, 1e-4, 0.5);
        Assert.True(trained.ValidationNdcg > 0, trained.Description);

        using var ranker = OnnxRanker.Load(path, new OnnxRankerOptions { ExecutionProvider = OnnxExecutionProvider.Cpu }, trained.Schema);
        Assert.Equal(modelKind, ranker.ModelKind);
        Assert.Null(ranker.Schema.FirstDifference(PlantedRanker.Schema(planted)));
    }

    [Fact]
    public async Task The_same_seed_trains_the_same_ranker()
    {
        var planted = new PlantedCatalog();
        var options = new ServedRankerOptions { Kind = RankerKind.Mlp, MaxUsers = 120, PublishedAtMs = planted.PublishedAtMs, NowMs = planted.MaxTimestampSeconds * 1000 };
        var first = await ServedRankerTrainer.TrainAsync(planted.Data, new ModelSettings(), models => PipelineDefaults.Config(models), _dir.File("a.onnx"), options);
        var second = await ServedRankerTrainer.TrainAsync(planted.Data, new ModelSettings(), models => PipelineDefaults.Config(models), _dir.File("b.onnx"), options);
        Assert.Equal(first.Rows, second.Rows);
        Assert.Equal(first.ValidationNdcg, second.ValidationNdcg);
        Assert.Equal(first.FusionNdcg, second.FusionNdcg);
        Assert.Equal(File.ReadAllBytes(first.Path), File.ReadAllBytes(second.Path));
    }

    [Fact]
    public async Task The_gbdt_takes_the_runs_seed()
    {
        var planted = new PlantedCatalog();
        var options = new ServedRankerOptions { Kind = RankerKind.Gbdt, MaxUsers = 120, PublishedAtMs = planted.PublishedAtMs, NowMs = planted.MaxTimestampSeconds * 1000, Seed = 7 };
        var trained = await ServedRankerTrainer.TrainAsync(planted.Data, new ModelSettings(), models => PipelineDefaults.Config(models), _dir.File("g.onnx"), options);
        Assert.Contains(" seed=7 ", trained.Description);
    }
}
