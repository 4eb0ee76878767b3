using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.LinearAlgebra;
using RecSys.Engine.Models.Neighbors;

namespace RecSys.Engine.Benchmarks.Models;

/// <summary>
/// The EASE fit at MovieLens-100K size: the 1,682 x 1,682 Gram matrix of 75,000 binary interactions
/// (943 users, popularity-skewed items) and its SPD inverse (Cholesky, triangular inverse, product; double),
/// on one thread and on all cores; the first (one dot per entry) inverse runs beside it as the baseline.
/// </summary>
[BenchmarkCategory(BenchCategories.Models)]
public class EaseBenchmarks
{
    private const int Items = 1682;
    private TrainingData _data = null!;
    private double[] _gram = [];

    [Params(1, -1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SplitMix64(3);
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < Items; i++)
            builder.Items.GetOrAdd($"i{i}");
        for (int e = 0; e < 75_000; e++)
        {
            // Squaring a uniform draw skews toward low ordinals: a few popular items, a long tail.
            double x = (rng.Next() >> 11) * (1.0 / (1UL << 53));
            builder.Add($"u{rng.Next() % 943}", $"i{(int)(x * x * Items)}", 1, 0);
        }
        _data = new TrainingData(builder.Build());
        _gram = CoOccurrence.Gram(_data.Matrix, _data.Transposed);
        for (int i = 0; i < Items; i++)
            _gram[i * Items + i] += 300;
    }

    [Benchmark]
    public double[] Gram() => CoOccurrence.Gram(_data.Matrix, _data.Transposed, Threads);

    [Benchmark]
    public double[] InvertSpd() => DenseCholesky.InvertSpd(_gram, Items, Threads);

    /// <summary>The blocked, packed inverse EASE uses now (bench/results/ease-scale.md); one copy of the Gram matrix per call.</summary>
    [Benchmark]
    public double[] InvertSpdBlocked() => BlockedSpdInverse.Invert(_gram, Items, Threads);

    [Benchmark(Baseline = true)]
    public double[] InvertSpdFirstVersion() => InvertSpdBaseline.Invert(_gram, Items, Threads);
}
