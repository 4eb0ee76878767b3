using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace RecSys.Engine.Benchmarks;

/// <summary>
/// Shared settings on top of the defaults (loggers, columns): one launch, short warm-up, 15 iterations
/// (the machine is noisy; medians are quoted), the memory diagnoser everywhere (search paths must
/// allocate nothing), GitHub markdown out (the default exporters). The short mode (<c>--short</c>) is for quick checks that every benchmark
/// runs and roughly where it stands: in process (no child build and launch per benchmark), 1 warm-up and 3
/// iterations of about 100 ms; its numbers are rougher than the full job's.
/// </summary>
public static class BenchConfig
{
    public static IConfig Create() => Common(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15));

    public static IConfig CreateShort() => Common(Job.ShortRun
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(1)
        .WithIterationCount(3)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(100))
        .WithId("Short"));

    private static IConfig Common(Job job) => DefaultConfig.Instance
        .AddJob(job)
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithOptions(ConfigOptions.JoinSummary);
}
