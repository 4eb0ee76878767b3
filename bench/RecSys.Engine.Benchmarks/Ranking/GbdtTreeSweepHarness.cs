using System.Diagnostics;
using System.Globalization;

namespace RecSys.Engine.Benchmarks.Ranking;

/// <summary>
/// GBDT latency against model size, for bench/results/ranker.md (dotnet run -c Release --project
/// bench/RecSys.Engine.Benchmarks -- ranker-trees [calls] [leaves] [trees,trees,...]): for each tree count, a GBDT of
/// that many trees (LightGBM, no early stopping) exported to ONNX, one 500-candidate request through ONNX Runtime (CPU,
/// one intra-op thread) and through the C# tree walk, alternating call by call after a warm-up; p50 / p99 / mean.
/// Says which model size fits issue 12's 2 ms.
/// </summary>
public static class GbdtTreeSweepHarness
{
    public static int Run(string[] args)
    {
        int calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
        int leaves = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 31;
        int[] counts = args.Length > 2 ? [.. args[2].Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture))] : [25, 50, 100, 200, 300];
        const int n = RankerBenchFixture.Candidates;
        Console.WriteLine($"# gbdt tree sweep {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {LoadAverage()}, {n} candidates, up to {leaves} leaves, {calls:N0} calls per path");
        Console.WriteLine("| trees | nodes | path | p50 us | p99 us | mean us | load after |");
        Console.WriteLine("|---:|---:|---|---:|---:|---:|---|");
        foreach (int trees in counts)
        {
            using var fixture = new RankerBenchFixture(gbdtTrees: trees, gbdtLeaves: leaves);
            (string Name, Action Call)[] paths =
            [
                ("onnx runtime", () => fixture.OnnxGbdt.Score(fixture.GbdtRows, n, fixture.Scores)),
                ("c# tree walk", () => fixture.Gbdt.Score(fixture.GbdtRows, n, fixture.Scores)),
            ];
            for (int i = 0; i < Math.Min(500, calls); i++)
            {
                foreach (var p in paths)
                    p.Call();
            }
            var micros = paths.Select(_ => new double[calls]).ToArray();
            for (int i = 0; i < calls; i++)
            {
                for (int p = 0; p < paths.Length; p++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    paths[p].Call();
                    micros[p][i] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
                }
            }
            string load = LoadAverage();
            for (int p = 0; p < paths.Length; p++)
            {
                double[] sorted = [.. micros[p].Order()];
                double at(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {fixture.Gbdt.Trees.TreeCount} | {fixture.Gbdt.Trees.NodeCount} | {paths[p].Name} | {at(0.5):F0} | {at(0.99):F0} | {micros[p].Average():F0} | {load} |"));
            }
        }
        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
