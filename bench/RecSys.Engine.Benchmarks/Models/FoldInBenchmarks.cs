using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Benchmarks.Models;

/// <summary>
/// ALS fold-in of one user with 100 events (the real-time update path: a user row from their history with
/// the item factors fixed), at 32, 64 and 128 factors, against 10,000 trained items. Target: under 1 ms at
/// 64 factors. The scratch is reused, as a serving thread would; the item Gram matrix is cached by the model.
/// </summary>
[BenchmarkCategory(BenchCategories.Models)]
public class FoldInBenchmarks
{
    private ImplicitAls _als = null!;
    private int[] _items = [];
    private float[] _vector = [];
    private FoldInScratch _scratch = null!;

    [Params(32, 64, 128)]
    public int Factors { get; set; }

    [Params(100)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        const int users = 2000, items = 10_000;
        var rng = new SplitMix64(5);
        var builder = new InteractionSetBuilder();
        for (int u = 0; u < users; u++)
            for (int e = 0; e < 20; e++)
                builder.Add($"u{u}", $"i{rng.Next() % items}", 1, 0);
        var data = new TrainingData(builder.Build());
        _als = new ImplicitAls(new AlsOptions { Factors = Factors, Iterations = 2 });
        _als.Fit(data);
        _items = new int[Events];
        for (int i = 0; i < Events; i++)
            _items[i] = (int)(rng.Next() % (ulong)data.ItemCount);
        _vector = new float[Factors];
        _scratch = new FoldInScratch(Factors, Events);
        _als.FoldIn(_items, [], _vector, _scratch); // builds the cached Gram
    }

    [Benchmark]
    public float FoldIn()
    {
        _als.FoldIn(_items, [], _vector, _scratch);
        return _vector[0];
    }
}
