using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.Ranking.Gbdt;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.FeatureAssembly;
using RecSys.Engine.Pipeline.Ranking;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Ranking.Onnx.Tests;

/// <summary>
/// The ONNX ranker inside the real pipeline (FASTER store, the planted catalog): trained on rows the pipeline itself
/// wrote (so on exactly the features it serves), exported, loaded by ONNX Runtime, answering requests.
/// </summary>
public sealed class OnnxPipelineRankerTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Sources =
        [SourceNames.Collaborative, SourceNames.ItemToItem, SourceNames.Content, SourceNames.Trending, SourceNames.Popular, SourceNames.NewItems];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Ranking only: no diversity, exploration or category caps between the ranker's order and the answer.</summary>
    private static PipelineConfig RankingOnly(PipelineConfig c) =>
        PipelineHarness.WithSurface(c, "home", s => s with { ExplorationShare = 0, MmrLambda = 1, CategoryCap = 0 });

    /// <summary>Keeps each request's feature rows and candidates (what a serving-side feature log records).</summary>
    private sealed class FeatureLog(RankingFeatureWriter writer) : IRanker
    {
        public readonly List<(long UserId, int[] Ordinals, float[] Rows)> Requests = [];

        public string Name => "log";

        public bool NeedsFeatures => true;

        public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
        {
            Requests.Add((input.Request.UserId, input.Candidates.Ordinals.ToArray(), writer.Write(input).ToArray()));
            input.Candidates.SourceRank(0).ToArray().Select(r => r == 0 ? 0f : 1f / r).ToArray().CopyTo(scores);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Measures what the inner ranker allocates per call, on the calling thread.</summary>
    private sealed class Measured(IRanker inner) : IRanker
    {
        public readonly List<long> Bytes = [];

        public string Name => inner.Name;

        public bool NeedsFeatures => inner.NeedsFeatures;

        public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ValueTask done = inner.ScoreAsync(input, scores, cancellationToken);
            Bytes.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            return done;
        }
    }

    /// <summary>
    /// A GBDT trained on rows the pipeline wrote while serving <paramref name="fit"/>'s users, labelled by
    /// <paramref name="labels"/>, exported to ONNX: the model file.
    /// </summary>
    private async Task<string> TrainFromServedRowsAsync(PlantedCatalog planted, TrainingData fit, InteractionMatrix labels, RankingFeatureSchema schema)
    {
        var log = new FeatureLog(new RankingFeatureWriter(schema));
        await using (var h = await PipelineHarness.CreateAsync(RankingOnly, log, planted: planted, data: fit))
        {
            for (int u = 0; u < planted.Users; u++)
                await h.RecommendAsync(PlantedCatalog.UserId(u), k: 10);
        }
        var features = new List<float>();
        var rowLabels = new List<float>();
        var start = new List<int> { 0 };
        var users = new List<int>();
        var relevant = new List<int>();
        foreach (var (userId, ordinals, rows) in log.Requests)
        {
            int u = (int)userId - 1;
            if (labels.RowLength(u) == 0)
                continue;
            features.AddRange(rows);
            rowLabels.AddRange(ordinals.Select(i => labels.Contains(u, i) ? 1f : 0f));
            start.Add(start[^1] + ordinals.Length);
            users.Add(u);
            relevant.Add(labels.RowLength(u));
        }
        var data = new RankingDataset(schema, [.. features], [.. rowLabels], [.. start], [.. users], [.. relevant]);
        var (train, validation) = data.SplitByQuery(0.25, seed: 5);
        var result = GbdtTrainer.Train(train.ToTrainingSet(), validation.ToTrainingSet(),
            new GbdtOptions { NumLeaves = 15, MinDataInLeaf = 10, MaxIterations = 200, EarlyStoppingRounds = 20 });
        string path = _dir.File("served-rows.onnx");
        GbdtOnnxExporter.Save(new GbdtRanker(schema, result.Model), path);
        return path;
    }

    private static async Task<double> NdcgAsync(PipelineHarness h, PipelineVersion version, InteractionMatrix heldOut)
    {
        double sum = 0;
        int users = 0;
        for (int u = 0; u < h.Planted.Users; u++)
        {
            if (heldOut.RowLength(u) == 0)
                continue;
            var response = await h.Pipeline.RecommendAsync(new RecommendRequest { UserId = PlantedCatalog.UserId(u), K = 10, NowMs = h.NowMs }, version);
            Assert.Equal(version.Ranker.Name, response.Ranker);
            int[] ranked = [.. response.Items.Select(i => PlantedCatalog.ItemIndex(i.ItemId))];
            sum += RankingMetrics.Ndcg(ranked, heldOut.Columns(u), 10);
            users++;
        }
        return sum / users;
    }

    [Fact]
    public async Task A_pipeline_with_the_onnx_ranker_answers_and_ranks_planted_data_better_than_rank_fusion()
    {
        var planted = new PlantedCatalog(items: 320, users: 200, perUser: 14, seed: 11);
        DataSplit split = Splitter.RandomPerUser(planted.Data.Events, 0.75, 42);
        var fit = new TrainingData(split.Train);
        var heldOut = InteractionMatrix.FromSet(split.Test, binary: true);
        // Training rows from the fit part only: an inner split of it, served, labelled by its own held-out part.
        DataSplit inner = Splitter.RandomPerUser(split.Train, 0.75, 43);
        var schema = RankingFeatureSchema.Create(planted.Data.Catalog!.DistinctCategories(), Sources);
        string model = await TrainFromServedRowsAsync(planted, new TrainingData(inner.Train), InteractionMatrix.FromSet(inner.Test, binary: true), schema);

        using var onnx = OnnxPipelineRanker.Load(model, new OnnxRankerOptions { ExecutionProvider = OnnxExecutionProvider.Cpu, MaxCandidates = 200 });
        Assert.Equal("onnx-gbdt", onnx.Name);
        Assert.True(onnx.Ranker.AcceptsMissing);
        await using var h = await PipelineHarness.CreateAsync(RankingOnly, onnx, planted: planted, data: fit);
        Assert.Null(onnx.Mismatch(h.Pipeline.Version.Config));
        var response = await h.RecommendAsync(PlantedCatalog.UserId(3), k: 10);
        Assert.Equal(10, response.Items.Length);
        Assert.Equal("onnx-gbdt", response.Ranker);

        double learned = await NdcgAsync(h, h.Pipeline.Version, heldOut);
        double fusion = await NdcgAsync(h, h.Pipeline.Version.With(h.Pipeline.Version.Config, h.Catalog, new ReciprocalRankFusionRanker()), heldOut);
        output.WriteLine($"held-out NDCG@10: onnx ranker {learned:F4}, rank fusion {fusion:F4}");
        Assert.True(learned > fusion + 0.02, $"onnx ranker NDCG@10 {learned:F4}, rank fusion {fusion:F4}");
    }

    [Fact]
    public async Task Scoring_a_request_allocates_nothing_once_warm()
    {
        var planted = new PlantedCatalog(items: 200, users: 60, seed: 3);
        var schema = RankingFeatureSchema.Create(planted.Data.Catalog!.DistinctCategories(), Sources);
        // Any model of the schema will do: a small one trained on random labels of random rows.
        var rows = new float[400 * schema.Count];
        var rng = new Core.Randomness.SplitMix64(1);
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)rng.NextGaussian();
        float[] labels = [.. Enumerable.Range(0, 400).Select(r => rows[r * schema.Count + 3] > 0.5f ? 1f : 0f)];
        var set = new RankingTrainingSet(rows, schema.Count, labels, Enumerable.Repeat(40, 10).ToArray());
        var trees = GbdtTrainer.Train(set, set, new GbdtOptions { MaxIterations = 20, NumLeaves = 4, MinDataInLeaf = 5 }).Model;
        string path = _dir.File("tiny.onnx");
        GbdtOnnxExporter.Save(new GbdtRanker(schema, trees), path);

        // Fewer candidates per ONNX call than a request has: requests are scored in chunks.
        using var onnx = OnnxPipelineRanker.Load(path, new OnnxRankerOptions { ExecutionProvider = OnnxExecutionProvider.Cpu, MaxCandidates = 64, ConcurrentCalls = 1 });
        var measured = new Measured(onnx);
        await using var h = await PipelineHarness.CreateAsync(RankingOnly, measured, planted: planted, parallelSources: false);
        const int Users = 12, Rounds = 5;
        for (int round = 0; round < Rounds; round++)
        {
            for (int u = 0; u < Users; u++)
                await h.RecommendAsync(PlantedCatalog.UserId(u));
        }
        Assert.Equal(Users * Rounds, measured.Bytes.Count);
        Assert.True(measured.Bytes.Take(Users).Sum() > 0, "the first round grows the buffers"); // the probe sees allocations
        // Fewest bytes per user over the warm rounds (a tier-up of the JIT may allocate once on the thread): zero.
        for (int u = 0; u < Users; u++)
            Assert.Equal(0, Enumerable.Range(1, Rounds - 1).Min(r => measured.Bytes[r * Users + u]));
    }
}
