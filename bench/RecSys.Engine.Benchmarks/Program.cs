using BenchmarkDotNet.Running;

// Pass a filter (e.g. --filter '*Kernel*'), or BenchmarkDotNet waits on stdin for a choice.
BenchmarkSwitcher.FromAssembly(typeof(RecSys.Engine.Benchmarks.BenchConfig).Assembly).Run(args, new RecSys.Engine.Benchmarks.BenchConfig());
