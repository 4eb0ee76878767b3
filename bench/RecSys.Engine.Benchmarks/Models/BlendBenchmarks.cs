using BenchmarkDotNet.Attributes;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Blend;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;

namespace RecSys.Engine.Benchmarks.Models;

/// <summary>
/// One user's blended scores (RRF of ALS 64 factors and EASE, depth 100) over a MovieLens-100K-sized catalog
/// (943 users, 1,682 items, 75,000 events), cycling through the users. The current path reuses per-thread
/// scratch; the first version (kept verbatim below as the baseline) allocated its buffers on every call.
/// The memory diagnoser shows the difference; the time is dominated by the sources' own scoring.
/// </summary>
[BenchmarkCategory(BenchCategories.Models)]
public class BlendBenchmarks
{
    private RankFusion _blend = null!;
    private TrainingData _data = null!;
    private float[] _scores = [];
    private int _user;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SplitMix64(3);
        var builder = new InteractionSetBuilder();
        for (int i = 0; i < 1682; i++)
            builder.Items.GetOrAdd($"i{i}");
        for (int e = 0; e < 75_000; e++)
        {
            double x = (rng.Next() >> 11) * (1.0 / (1UL << 53));
            builder.Add($"u{rng.Next() % 943}", $"i{(int)(x * x * 1682)}", 1, 0);
        }
        _data = new TrainingData(builder.Build());
        _blend = new RankFusion([new BlendSource(new ImplicitAls(new AlsOptions { Factors = 64, Iterations = 3 }), 1f), new BlendSource(new Ease(300f), 1f)], depth: 100, c: 60f);
        _blend.Fit(_data);
        _scores = new float[_data.ItemCount];
        _blend.Score(0, _scores); // grows this thread's scratch
    }

    [Benchmark]
    public float Score()
    {
        _user = (_user + 1) % _data.UserCount;
        _blend.Score(_user, _scores);
        return _scores[0];
    }

    [Benchmark(Baseline = true)]
    public float ScoreFirstVersion()
    {
        _user = (_user + 1) % _data.UserCount;
        FirstVersion(_blend, _data.Matrix, _data.ItemCount, _user, _scores);
        return _scores[0];
    }

    /// <summary>RankFusion.Score as first written: four arrays allocated per call.</summary>
    private static void FirstVersion(RankFusion blend, InteractionMatrix train, int items, int user, Span<float> scores)
    {
        int depth = Math.Min(blend.Depth, items);
        var sourceScores = new float[items];
        var top = new int[depth];
        var dist = new float[depth];
        var ids = new long[depth];
        Span<float> s = scores[..items];
        s.Clear();
        ReadOnlySpan<int> seen = train.Columns(user);
        foreach (var source in blend.Sources)
        {
            if (source.Weight == 0)
                continue;
            source.Source.Score(user, sourceScores);
            TopItems.Exclude(sourceScores, seen);
            int n = TopItems.Select(sourceScores, top, dist, ids);
            for (int r = 0; r < n; r++)
                s[top[r]] += source.Weight / (blend.C + r + 1);
        }
    }
}
