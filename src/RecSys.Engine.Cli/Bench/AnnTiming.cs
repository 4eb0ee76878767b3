using System.Globalization;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// How long `bench ann` measures: every row repeats the query set until it has been timed for at least
/// <see cref="MinTime"/> (one pass when zero), and the whole comparison runs <see cref="Runs"/> times, each run in
/// another order of the indexes, so that drift on a shared machine hits every row alike.
/// </summary>
internal sealed record AnnTiming(int Runs, TimeSpan MinTime)
{
    public static AnnTiming Single { get; } = new(1, TimeSpan.Zero);

    /// <summary>--runs: at least 1.</summary>
    public static int ParseRuns(int runs) =>
        runs >= 1 ? runs : throw new CliInputException($"--runs: {runs} must be at least 1");

    /// <summary>--min-time: "1s", "500ms", "2.5s", or a plain number of seconds; 0 = one pass of the queries.</summary>
    public static TimeSpan ParseMinTime(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        double scale = 1;
        if (t.EndsWith("ms", StringComparison.Ordinal))
        {
            scale = 1e-3;
            t = t[..^2];
        }
        else if (t.EndsWith('s'))
        {
            t = t[..^1];
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new CliInputException($"--min-time: '{text}' is not a duration (e.g. 1s, 500ms, 0)");
        if (value < 0 || value * scale > 3600)
            throw new CliInputException($"--min-time: '{text}' must be between 0 and 3600 s");
        return TimeSpan.FromSeconds(value * scale);
    }
}
