using BenchmarkDotNet.Attributes;

namespace RecSys.Engine.Benchmarks.Ranking;

/// <summary>
/// Scoring one request of 500 candidates x 58 features with the MLP and the GBDT ranker: through ONNX Runtime (CPU, one
/// intra-op thread, pre-bound OrtValues) beside the plain C# forward pass and tree walk. Means and allocations here;
/// p50 / p99 come from the timed harness (`ranker`, <see cref="RankerLatencyHarness"/>), since BenchmarkDotNet has no
/// p99 column.
/// </summary>
[BenchmarkCategory(BenchCategories.Ranker)]
public class RankerBenchmarks
{
    private RankerBenchFixture _fixture = null!;

    [GlobalSetup]
    public void Setup() => _fixture = new RankerBenchFixture();

    [GlobalCleanup]
    public void Cleanup() => _fixture.Dispose();

    [Benchmark(Baseline = true)]
    public float OnnxRuntimeMlp()
    {
        _fixture.Onnx.Score(_fixture.Rows, RankerBenchFixture.Candidates, _fixture.Scores);
        return _fixture.Scores[0];
    }

    [Benchmark]
    public float CSharpMlp()
    {
        _fixture.Mlp.Score(_fixture.Rows, RankerBenchFixture.Candidates, _fixture.Scores, _fixture.Scratch);
        return _fixture.Scores[0];
    }

    [Benchmark]
    public float OnnxRuntimeGbdt()
    {
        _fixture.OnnxGbdt.Score(_fixture.GbdtRows, RankerBenchFixture.Candidates, _fixture.Scores);
        return _fixture.Scores[0];
    }

    [Benchmark]
    public float CSharpGbdt()
    {
        _fixture.Gbdt.Score(_fixture.GbdtRows, RankerBenchFixture.Candidates, _fixture.Scores);
        return _fixture.Scores[0];
    }
}
