using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;

namespace RecSys.Engine.Benchmarks;

/// <summary>
/// Shared settings: one launch, short warm-up, 15 iterations (the machine is noisy, medians are
/// quoted), memory diagnoser everywhere (the search paths must allocate nothing), GitHub markdown out.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddExporter(MarkdownExporter.GitHub);
        WithOptions(ConfigOptions.JoinSummary);
    }
}
