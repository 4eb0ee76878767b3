using BenchmarkDotNet.Running;

// Pass a filter (e.g. --filter '*DistanceKernel*'), or BenchmarkDotNet waits on stdin for a choice.
BenchmarkSwitcher.FromAssembly(typeof(RecSys.Engine.Benchmarks.BenchConfig).Assembly).Run(args, RecSys.Engine.Benchmarks.BenchConfig.Create());
