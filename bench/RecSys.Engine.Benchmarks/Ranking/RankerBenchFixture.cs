using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.Ranking.Gbdt;
using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Benchmarks.Ranking;

/// <summary>
/// What both ranker benchmarks score: a MovieLens-100K-shaped schema (19 genres: 58 features, the current schema version), an MLP
/// 58-64-32-1 with seeded weights, and a LambdaRank GBDT of <see cref="GbdtTrees"/> trees of up to 31 leaves by default (trained by
/// LightGBM on seeded rows with a planted signal, no early stopping, so its size is fixed), each exported to a temp
/// .onnx file and loaded on CPU with one intra-op thread; 500 candidates of random features (a tenth of them missing,
/// NaN, for the GBDT, which takes missing values). ONNX Runtime and the plain C# pass see the same rows.
/// </summary>
internal sealed class RankerBenchFixture : IDisposable
{
    public const int Candidates = 500;

    public const int GbdtTrees = 300;

    private readonly string _path;
    private readonly string _gbdtPath;

    /// <param name="gbdtTrees">The GBDT's tree count (the latency sweep varies it; <see cref="GbdtTrees"/> elsewhere).</param>
    /// <param name="gbdtLeaves">Leaves per GBDT tree at most.</param>
    public RankerBenchFixture(int intraOpThreads = 1, int gbdtTrees = GbdtTrees, int gbdtLeaves = 31)
    {
        string[] genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
            "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"];
        Schema = RankingFeatureSchema.Create(genres);
        var rng = new SplitMix64(12);
        var mean = new float[Schema.Count];
        var inv = new float[Schema.Count];
        for (int k = 0; k < Schema.Count; k++)
        {
            mean[k] = (float)rng.NextGaussian();
            inv[k] = 1f;
        }
        Mlp = new MlpRanker(Schema, [64, 32], mean, inv, seed: 12);
        Rows = new float[Candidates * Schema.Count];
        for (int i = 0; i < Rows.Length; i++)
            Rows[i] = (float)rng.NextGaussian();
        _path = Path.Combine(Path.GetTempPath(), $"recsys-ranker-bench-{Guid.NewGuid():N}.onnx");
        MlpOnnxExporter.Save(Mlp, _path);
        Onnx = OnnxRanker.Load(_path, CpuOptions(intraOpThreads));
        Scratch = new MlpScratch(Mlp, Candidates);

        Gbdt = TrainGbdt(Schema, rng, gbdtTrees, gbdtLeaves);
        GbdtRows = (float[])Rows.Clone();
        for (int i = 0; i < GbdtRows.Length; i++)
        {
            if (rng.Next() % 10 == 0)
                GbdtRows[i] = float.NaN;
        }
        _gbdtPath = Path.Combine(Path.GetTempPath(), $"recsys-ranker-bench-{Guid.NewGuid():N}-gbdt.onnx");
        GbdtOnnxExporter.Save(Gbdt, _gbdtPath);
        OnnxGbdt = OnnxRanker.Load(_gbdtPath, CpuOptions(intraOpThreads));
    }

    private static OnnxRankerOptions CpuOptions(int intraOpThreads) => new()
    {
        ExecutionProvider = OnnxExecutionProvider.Cpu,
        IntraOpThreads = intraOpThreads,
        MaxCandidates = Candidates,
        ConcurrentCalls = 1,
    };

    /// <summary>Queries of random rows, relevance from a few features and an interaction; trees grown to <see cref="GbdtTrees"/>.</summary>
    private static GbdtRanker TrainGbdt(RankingFeatureSchema schema, SplitMix64 rng, int trees, int leaves)
    {
        int f = schema.Count, queries = 200, perQuery = 100, rows = queries * perQuery;
        var x = new float[rows * f];
        var y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.AsSpan(r * f, f);
            for (int k = 0; k < f; k++)
                row[k] = (float)rng.NextGaussian();
            if (rng.Next() % 10 == 0)
                row[1] = float.NaN;
            double s = row[0] + 0.5 * row[2] * row[3] - 0.3 * row[5] + (float.IsNaN(row[1]) ? 0.2 : 0.2 * row[1]) + 0.5 * rng.NextGaussian();
            y[r] = s > 2 ? 3 : s > 1.2 ? 2 : s > 0.5 ? 1 : 0;
        }
        var set = new RankingTrainingSet(x, f, y, Enumerable.Repeat(perQuery, queries).ToArray());
        var options = new GbdtOptions { MaxIterations = trees, EarlyStoppingRounds = trees, NumLeaves = leaves, LearningRate = 0.05 };
        return new GbdtRanker(schema, GbdtTrainer.Train(set, set, options).Model);
    }

    public RankingFeatureSchema Schema { get; }

    public MlpRanker Mlp { get; }

    public MlpScratch Scratch { get; }

    public OnnxRanker Onnx { get; }

    public float[] Rows { get; }

    public float[] Scores { get; } = new float[Candidates];

    public GbdtRanker Gbdt { get; }

    public OnnxRanker OnnxGbdt { get; }

    /// <summary>The rows with a tenth of the values missing (NaN): what a GBDT is served.</summary>
    public float[] GbdtRows { get; }

    public void Dispose()
    {
        Onnx.Dispose();
        OnnxGbdt.Dispose();
        foreach (string path in new[] { _path, _gbdtPath })
        {
            File.Delete(path);
            File.Delete(MlpOnnxExporter.SchemaPath(path));
        }
    }
}
