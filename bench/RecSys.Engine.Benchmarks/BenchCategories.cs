namespace RecSys.Engine.Benchmarks;

/// <summary>
/// The suite's categories (BenchmarkDotNet's <c>[BenchmarkCategory]</c> on each class): run one or several with
/// <c>--category kernels,index</c> (the same as BenchmarkDotNet's <c>--anyCategories kernels index</c>).
/// </summary>
public static class BenchCategories
{
    /// <summary>SIMD distance kernels, the exact scan, the IVF-PQ table-sum scan.</summary>
    public const string Kernels = "kernels";

    /// <summary>Whole index searches: HNSW, IVF coarse quantizer.</summary>
    public const string Index = "index";

    /// <summary>Scoring a request's 500 candidates: ONNX Runtime and the C# forward pass / tree walk.</summary>
    public const string Ranker = "ranker";

    /// <summary>Feature-store reads and writes (FASTER, in memory).</summary>
    public const string Store = "store";

    /// <summary>A whole in-process Recommend on a small generated catalog.</summary>
    public const string Pipeline = "pipeline";

    /// <summary>Model training and fold-in steps (ALS fold-in, EASE, rank fusion).</summary>
    public const string Models = "models";

    public static readonly string[] All = [Kernels, Index, Ranker, Store, Pipeline, Models];
}
