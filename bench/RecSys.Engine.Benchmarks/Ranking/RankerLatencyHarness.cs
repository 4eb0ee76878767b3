using System.Diagnostics;
using System.Globalization;

namespace RecSys.Engine.Benchmarks.Ranking;

/// <summary>
/// Timed harness for bench/results/ranker.md (dotnet run -c Release --project bench/RecSys.Engine.Benchmarks -- ranker
/// [calls] [rounds]): p50 / p99 / mean of one 500-candidate request, MLP and GBDT, each through ONNX Runtime (CPU, 1
/// intra-op thread) and in C# (forward pass, tree walk), the four paths alternating call by call so machine noise hits
/// them alike, after a warm-up of the same calls.
/// </summary>
public static class RankerLatencyHarness
{
    public static int Run(string[] args)
    {
        int calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        using var fixture = new RankerBenchFixture();
        Console.WriteLine($"# ranker harness {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {LoadAverage()}");
        Console.WriteLine($"{RankerBenchFixture.Candidates} candidates x {fixture.Schema.Count} features, {fixture.Mlp.Describe()}, gbdt {fixture.Gbdt.Trees.TreeCount} trees / {fixture.Gbdt.Trees.NodeCount} nodes, ONNX provider {fixture.Onnx.ExecutionProvider}, {calls:N0} calls per path per round");
        const int n = RankerBenchFixture.Candidates;
        (string Name, Action Call)[] paths =
        [
            ("onnx runtime mlp", () => fixture.Onnx.Score(fixture.Rows, n, fixture.Scores)),
            ("c# forward mlp", () => fixture.Mlp.Score(fixture.Rows, n, fixture.Scores, fixture.Scratch)),
            ("onnx runtime gbdt", () => fixture.OnnxGbdt.Score(fixture.GbdtRows, n, fixture.Scores)),
            ("c# tree walk gbdt", () => fixture.Gbdt.Score(fixture.GbdtRows, n, fixture.Scores)),
        ];
        var micros = paths.Select(_ => new double[calls]).ToArray();
        for (int i = 0; i < 2_000; i++)
        {
            foreach (var p in paths)
                p.Call();
        }
        for (int round = 1; round <= rounds; round++)
        {
            for (int i = 0; i < calls; i++)
            {
                for (int p = 0; p < paths.Length; p++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    paths[p].Call();
                    micros[p][i] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
                }
            }
            for (int p = 0; p < paths.Length; p++)
                Console.WriteLine($"round {round}: {Line(paths[p].Name, micros[p])}");
            Console.WriteLine($"round {round}: load {LoadAverage()}");
        }
        return 0;
    }

    private static string Line(string name, double[] micros)
    {
        double[] sorted = [.. micros.Order()];
        double at(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return $"{name,-18} p50 {at(0.50),7:F1} us  p99 {at(0.99),7:F1} us  mean {micros.Average(),7:F1} us";
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
