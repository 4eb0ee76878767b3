using RecSys.Engine.BenchPlot;
using RecSys.Engine.LoadGen;

// dotnet run --project bench/RecSys.Engine.LoadTest -c Release -- --target 127.0.0.1:50051 --rate 500 --duration 30s
//     [--sweep 100,200,500,1000 --plot sweep.png] [--json FILE] ... (the flags of `recsys bench load`; --help lists them)
if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("usage: RecSys.Engine.LoadTest --target 127.0.0.1:PORT [flags]");
    Console.WriteLine(LoadArguments.Usage);
    return args.Length == 0 ? LoadTestCommand.ExitBadInput : LoadTestCommand.ExitPass;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    return await LoadTestCommand.RunAsync(args, Console.Out, Console.Error, "RecSys.Engine.LoadTest", Plot, cancel.Token);
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("error: cancelled");
    return LoadTestCommand.ExitFailure;
}

static void Plot(string path, SweepReport sweep)
{
    var series = new LatencyThroughputPlot.Series("",
        sweep.Steps.Select(s => s.ThroughputRps).ToArray(),
        sweep.Steps.Select(s => s.P50Ms).ToArray(),
        sweep.Steps.Select(s => s.P99Ms).ToArray(),
        sweep.Steps.Select(s => s.P999Ms).ToArray());
    LatencyThroughputPlot.Save(path, $"latency vs throughput, {sweep.Steps[0].Target}, mix {sweep.Steps[0].Mix}", [series], [sweep.SloMs]);
}
