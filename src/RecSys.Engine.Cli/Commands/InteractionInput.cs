using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Cli.Commands;

/// <summary>The interaction files the commands read (--data, --format): one switch for eval and train.</summary>
internal static class InteractionInput
{
    public const string FormatHelp = "ml100k | mlcsv | csv.";

    /// <summary>Loads <paramref name="path"/> in <paramref name="format"/>; skipped rows (with <paramref name="skipBad"/>) are counted on <paramref name="stderr"/>. No interactions is bad input.</summary>
    public static InteractionSet Load(string path, string format, bool skipBad, TextWriter stderr)
    {
        var report = new LoadReport();
        var options = new LoadOptions { SkipBad = skipBad };
        InteractionSet set = format switch
        {
            "ml100k" => MovieLens100KLoader.Load(path, options, report),
            "mlcsv" => MovieLensCsvLoader.Load(path, options, report),
            "csv" => InteractionCsvLoader.Load(path, options, report),
            _ => throw new CliInputException($"--format must be ml100k, mlcsv or csv (got '{format}')"),
        };
        if (report.RowsSkipped > 0)
            stderr.WriteLine($"skipped {report.RowsSkipped} bad rows (first: {report.SkippedMessages[0]})");
        if (set.Count == 0)
            throw new InvalidDataException($"{path}: no interactions");
        return set;
    }
}
