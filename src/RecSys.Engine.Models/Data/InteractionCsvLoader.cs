using System.Globalization;

namespace RecSys.Engine.Models.Data;

/// <summary>
/// Generic interaction CSV: <c>user,item[,value[,timestamp]]</c>, header optional: the first line is a header
/// when its first field is "user", "userId" or "user_id", or when it does not parse as a row and its first
/// field mentions "user" (so a first row "user1,item9,1,5" is data). Value defaults to 1, timestamp to 0;
/// timestamps are unix seconds or ISO-8601 dates.
/// </summary>
public static class InteractionCsvLoader
{
    public static InteractionSet Load(string path, LoadOptions? options = null, LoadReport? report = null)
    {
        options ??= LoadOptions.Strict;
        report ??= new LoadReport();
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: interaction file not found", path);
        var errors = new RowErrors(path, options, report);
        var builder = new InteractionSetBuilder();
        var fields = new List<string>(4);
        long lineNumber = 0;
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line == "\r")
                continue;
            if (!CsvFields.TrySplit(line, ',', fields, out string? splitError))
            {
                errors.Bad(lineNumber, splitError!);
                continue;
            }
            bool parsed = TryParseRow(fields, out string user, out string item, out float value, out long timestamp, out string? reason);
            if (lineNumber == 1 && IsHeader(fields[0].Trim(), parsed))
                continue;
            if (parsed)
                builder.Add(user, item, value, timestamp);
            else
                errors.Bad(lineNumber, reason!);
            report.RowsRead++;
        }
        return builder.Build();
    }

    private static bool IsHeader(string first, bool parsesAsRow) =>
        first.Equals("user", StringComparison.OrdinalIgnoreCase) || first.Equals("userid", StringComparison.OrdinalIgnoreCase)
        || first.Equals("user_id", StringComparison.OrdinalIgnoreCase)
        || (!parsesAsRow && first.Contains("user", StringComparison.OrdinalIgnoreCase));

    internal static bool TryParseRow(List<string> fields, out string user, out string item, out float value, out long timestamp, out string? reason)
    {
        user = item = "";
        value = 1f;
        timestamp = 0;
        reason = null;
        if (fields.Count < 2 || fields.Count > 4)
        {
            reason = $"expected 2 to 4 fields (user,item[,value[,timestamp]]), found {fields.Count}";
            return false;
        }
        user = fields[0].Trim();
        item = fields[1].Trim();
        if (user.Length == 0)
        {
            reason = "empty user id";
            return false;
        }
        if (item.Length == 0)
        {
            reason = "empty item id";
            return false;
        }
        if (fields.Count >= 3 && !TryParseValue(fields[2], out value, out reason))
            return false;
        if (fields.Count == 4 && !TryParseTimestamp(fields[3], out timestamp, out reason))
            return false;
        return true;
    }

    internal static bool TryParseValue(string text, out float value, out string? reason)
    {
        reason = null;
        if (!float.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            reason = $"value '{text}' is not a number";
            return false;
        }
        if (!float.IsFinite(value))
        {
            reason = $"value '{text}' is not finite";
            return false;
        }
        return true;
    }

    internal static bool TryParseTimestamp(string text, out long timestamp, out string? reason)
    {
        reason = null;
        string t = text.Trim();
        if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out timestamp))
            return true;
        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            timestamp = date.ToUnixTimeSeconds();
            return true;
        }
        reason = $"timestamp '{text}' is neither unix seconds nor an ISO-8601 date";
        return false;
    }
}
