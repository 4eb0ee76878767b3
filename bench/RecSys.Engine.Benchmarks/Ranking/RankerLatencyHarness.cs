using System.Diagnostics;
using System.Globalization;

namespace RecSys.Engine.Benchmarks.Ranking;

/// <summary>
/// Timed harness for bench/results/ranker.md (dotnet run -c Release --project bench/RecSys.Engine.Benchmarks -- ranker
/// [calls] [rounds]): p50 / p99 / mean of one 500-candidate request, ONNX Runtime (CPU, 1 intra-op thread) and the C#
/// forward pass alternating call by call so machine noise hits both alike, after a warm-up of the same calls.
/// </summary>
public static class RankerLatencyHarness
{
    public static int Run(string[] args)
    {
        int calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        using var fixture = new RankerBenchFixture();
        Console.WriteLine($"# ranker harness {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {LoadAverage()}");
        Console.WriteLine($"{RankerBenchFixture.Candidates} candidates x {fixture.Schema.Count} features, {fixture.Mlp.Describe()}, ONNX provider {fixture.Onnx.ExecutionProvider}, {calls:N0} calls per path per round");
        var onnx = new double[calls];
        var csharp = new double[calls];
        for (int i = 0; i < 2_000; i++)
            Both(fixture);
        for (int round = 1; round <= rounds; round++)
        {
            for (int i = 0; i < calls; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                fixture.Onnx.Score(fixture.Rows, RankerBenchFixture.Candidates, fixture.Scores);
                long t1 = Stopwatch.GetTimestamp();
                fixture.Mlp.Score(fixture.Rows, RankerBenchFixture.Candidates, fixture.Scores, fixture.Scratch);
                long t2 = Stopwatch.GetTimestamp();
                onnx[i] = (t1 - t0) * 1e6 / Stopwatch.Frequency;
                csharp[i] = (t2 - t1) * 1e6 / Stopwatch.Frequency;
            }
            Console.WriteLine($"round {round}: {Line("onnx runtime mlp", onnx)}");
            Console.WriteLine($"round {round}: {Line("c# forward mlp", csharp)}");
        }
        return 0;
    }

    private static void Both(RankerBenchFixture f)
    {
        f.Onnx.Score(f.Rows, RankerBenchFixture.Candidates, f.Scores);
        f.Mlp.Score(f.Rows, RankerBenchFixture.Candidates, f.Scores, f.Scratch);
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
