using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;

namespace RecSys.Engine.Benchmarks;

/// <summary>
/// Shared settings on top of the defaults (loggers, columns): one launch, short warm-up, 15 iterations
/// (the machine is noisy; medians are quoted), the memory diagnoser everywhere (search paths must
/// allocate nothing), GitHub markdown out.
/// </summary>
public static class BenchConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddExporter(MarkdownExporter.GitHub)
        .WithOptions(ConfigOptions.JoinSummary);
}
