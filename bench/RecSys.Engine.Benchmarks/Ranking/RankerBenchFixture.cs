using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Benchmarks.Ranking;

/// <summary>
/// What both ranker benchmarks score: a MovieLens-100K-shaped schema (19 genres: 58 features), an MLP 58-64-32-1 with
/// seeded weights, exported to a temp .onnx file and loaded on CPU with one intra-op thread, and 500 candidates of
/// random features. The ONNX ranker and the plain C# forward pass see the same rows.
/// </summary>
internal sealed class RankerBenchFixture : IDisposable
{
    public const int Candidates = 500;

    private readonly string _path;

    public RankerBenchFixture(int intraOpThreads = 1)
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
        Onnx = OnnxRanker.Load(_path, new OnnxRankerOptions
        {
            ExecutionProvider = OnnxExecutionProvider.Cpu,
            IntraOpThreads = intraOpThreads,
            MaxCandidates = Candidates,
            ConcurrentCalls = 1,
        });
        Scratch = new MlpScratch(Mlp, Candidates);
    }

    public RankingFeatureSchema Schema { get; }

    public MlpRanker Mlp { get; }

    public MlpScratch Scratch { get; }

    public OnnxRanker Onnx { get; }

    public float[] Rows { get; }

    public float[] Scores { get; } = new float[Candidates];

    public void Dispose()
    {
        Onnx.Dispose();
        File.Delete(_path);
        File.Delete(MlpOnnxExporter.SchemaPath(_path));
    }
}
