namespace RecSys.Engine.Models.Data;

/// <summary>One place that turns a bad row into either an exception naming file, line and reason, or a skip.</summary>
internal readonly struct RowErrors(string path, LoadOptions options, LoadReport report)
{
    public void Bad(long line, string reason)
    {
        string message = $"{path}:{line}: {reason}";
        if (!options.SkipBad)
            throw new InvalidDataException(message);
        report.Skip(message);
    }
}
