using BenchmarkDotNet.Running;

// `featurestore [memory|spill|garnet|append]` runs the timed feature-store harness (percentiles, see
// Features/FeatureStoreHarness.cs). Otherwise pass a filter (e.g. --filter '*DistanceKernel*'), or
// BenchmarkDotNet waits on stdin for a choice. `fastscan DIR [nlist] [m]` runs the 8-bit vs 4-bit fast-scan
// whole-search comparison (Index/FastScanHarness.cs); `coarseprobe [nlists] [M] [efc]` the coarse graph's
// probe overlap and time against the exact scan (Index/CoarseProbeHarness.cs).
if (args.Length > 0 && args[0] == "featurestore")
    return await RecSys.Engine.Benchmarks.Features.FeatureStoreHarness.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "coarseprobe")
    return RecSys.Engine.Benchmarks.Index.CoarseProbeHarness.Run(args[1..]);
// `hnsw-ab [DIR] [blocks] [efs]` interleaves the two HNSW level-0 search loops (Index/HnswAbHarness.cs).
if (args.Length > 0 && args[0] == "hnsw-ab")
    return RecSys.Engine.Benchmarks.Index.HnswAbHarness.Run(args[1..]);
// `hnsw-filtered [n] [queries] [ef] [variants] [cases]`: filtered HNSW search on categories that follow the embedding
// space, the traverse-everything walk against the admitted-only walk, p50 / p99 and recall@10 (Index/HnswFilteredHarness.cs).
if (args.Length > 0 && args[0] == "hnsw-filtered")
    return RecSys.Engine.Benchmarks.Index.HnswFilteredHarness.Run(args[1..]);
// `kernel-ab [dims] [blocks]`: the dot product's remainder loop, production / a copy of its loop / the candidate, in one process (Vectors/KernelRemainderAbHarness.cs).
if (args.Length > 0 && args[0] == "kernel-ab")
    return RecSys.Engine.Benchmarks.Vectors.KernelRemainderAbHarness.Run(args[1..]);
// `bf16-key-ab [dims] [blocks]`: the widening and the split-query bfloat16 keys, in one process (Vectors/BFloat16KeyAbHarness.cs).
if (args.Length > 0 && args[0] == "bf16-key-ab")
    return RecSys.Engine.Benchmarks.Vectors.BFloat16KeyAbHarness.Run(args[1..]);
if (args.Length > 0 && args[0] == "fastscan")
    return RecSys.Engine.Benchmarks.Index.FastScanHarness.Run(args[1..]);
// `ease-scale N[,N...] [--threads 1,-1] [--reps R] [--old N_MAX] [--fit]` times the EASE SPD inverse at catalog
// sizes too large for BenchmarkDotNet's repetitions (Models/EaseScaleHarness.cs).
if (args.Length > 0 && args[0] == "ease-scale")
    return RecSys.Engine.Benchmarks.Models.EaseScaleHarness.Run(args[1..]);
// `als-gram [rows] [k] [reps]` times the ALS Gram at 1M items, the scalar reference against the kernel (Models/AlsGramHarness.cs).
if (args.Length > 0 && args[0] == "als-gram")
    return RecSys.Engine.Benchmarks.Models.AlsGramHarness.Run(args[1..]);
// `ranker [calls] [rounds]` times one 500-candidate MLP and GBDT request, ONNX Runtime beside the C# forward pass and tree walk (p50 / p99,
// Ranking/RankerLatencyHarness.cs); `--filter '*RankerBenchmarks*'` gives BenchmarkDotNet's means and allocations.
if (args.Length > 0 && args[0] == "ranker")
    return RecSys.Engine.Benchmarks.Ranking.RankerLatencyHarness.Run(args[1..]);
// `ranker-trees [calls] [leaves] [trees,...]`: GBDT latency (ONNX Runtime and the C# tree walk) against the tree count.
if (args.Length > 0 && args[0] == "ranker-trees")
    return RecSys.Engine.Benchmarks.Ranking.GbdtTreeSweepHarness.Run(args[1..]);
// `ranker-tune DIR SPEC...`: the ranked model on MovieLens 100K, one row per ranker / row setting (validation and test NDCG).
if (args.Length > 0 && args[0] == "ranker-tune")
    return RecSys.Engine.Benchmarks.Ranking.RankerTuningHarness.Run(args[1..]);
// Otherwise BenchmarkDotNet: `--category kernels,index,ranker,store,pipeline,models` picks categories, `--short` the quick
// job; tables land in bench/results/bdn/results/ (BenchArguments.cs).
RecSys.Engine.Benchmarks.BenchArguments parsed;
try
{
    parsed = RecSys.Engine.Benchmarks.BenchArguments.Parse(args, Environment.CurrentDirectory);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
var config = parsed.Short ? RecSys.Engine.Benchmarks.BenchConfig.CreateShort() : RecSys.Engine.Benchmarks.BenchConfig.Create();
BenchmarkSwitcher.FromAssembly(typeof(RecSys.Engine.Benchmarks.BenchConfig).Assembly).Run(parsed.BenchmarkDotNet, config);
return 0;
