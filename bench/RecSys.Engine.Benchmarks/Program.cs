using BenchmarkDotNet.Running;

// `featurestore [memory|spill|garnet|append]` runs the timed feature-store harness (percentiles, see
// Features/FeatureStoreHarness.cs). Otherwise pass a filter (e.g. --filter '*DistanceKernel*'), or
// BenchmarkDotNet waits on stdin for a choice.
if (args.Length > 0 && args[0] == "featurestore")
    return await RecSys.Engine.Benchmarks.Features.FeatureStoreHarness.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(RecSys.Engine.Benchmarks.BenchConfig).Assembly).Run(args, RecSys.Engine.Benchmarks.BenchConfig.Create());
return 0;
