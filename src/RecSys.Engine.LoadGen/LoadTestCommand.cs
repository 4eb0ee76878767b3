using System.Globalization;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// The command behind <c>recsys bench load</c> and bench/RecSys.Engine.LoadTest (the same flags, the same output):
/// parses, runs one load or a sweep, prints the report, writes the JSON. Exit codes (the house's): 0 the run passed the
/// SLO (a sweep: some rate did), 2 a bad flag (the message names it), 1 anything else, a run that failed the SLO included.
/// </summary>
public static class LoadTestCommand
{
    public const int ExitPass = 0;
    public const int ExitFailure = 1;
    public const int ExitBadInput = 2;

    /// <param name="plot">Draws the sweep's PNG (path, sweep); null where the host has no plotting (the CLI keeps ScottPlot out), and then <c>--plot</c> is refused.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, string name,
        Action<string, SweepReport>? plot, CancellationToken cancellationToken = default)
    {
        LoadOptions options;
        try
        {
            options = LoadArguments.Parse(args);
            if (options.PlotPath is not null && plot is null)
                throw new LoadArgumentException("--plot", "this command does not draw (ScottPlot stays out of it): write --json and plot it with bench/RecSys.Engine.BenchPlot, or run the sweep with bench/RecSys.Engine.LoadTest");
        }
        catch (LoadArgumentException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine($"usage: {name}");
            error.WriteLine(LoadArguments.Usage);
            return ExitBadInput;
        }
        try
        {
            if (options.SweepRates is null)
            {
                output.WriteLine($"{name}: open loop, latency from each request's scheduled send");
                var report = await LoadGenerator.RunAsync(options, options.RateRps, cancellationToken).ConfigureAwait(false);
                report.WriteText(output);
                Write(options.JsonPath, report.ToJson(), output);
                return report.Passed ? ExitPass : ExitFailure;
            }
            output.WriteLine($"{name}: sweep over {string.Join(", ", options.SweepRates.Select(r => r.ToString(CultureInfo.InvariantCulture)))} req/s until p99 > {options.PrimarySloMs.ToString(CultureInfo.InvariantCulture)} ms");
            var sweep = await LoadSweep.RunAsync(options, r => r.WriteText(output), cancellationToken).ConfigureAwait(false);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"highest rate within p99 <= {sweep.SloMs:0.###} ms: {sweep.MaxPassingRateRps:0.##} req/s"));
            Write(options.JsonPath, sweep.ToJson(), output);
            if (options.PlotPath is { } png)
            {
                plot!(png, sweep);
                output.WriteLine($"wrote {png}");
            }
            return sweep.MaxPassingRateRps > 0 ? ExitPass : ExitFailure;
        }
        catch (IOException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitFailure;
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitFailure;
        }
    }

    private static void Write(string? path, string json, TextWriter output)
    {
        if (path is null)
            return;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        File.WriteAllText(path, json);
        output.WriteLine($"wrote {path}");
    }
}
