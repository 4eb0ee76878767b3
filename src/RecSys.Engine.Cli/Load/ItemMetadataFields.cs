using System.Globalization;

namespace RecSys.Engine.Cli.Load;

/// <summary>The item metadata columns and their text forms, one rule for every file format <c>recsys load --items</c> reads.</summary>
internal static class ItemMetadataFields
{
    public static readonly string[] Known = ["id", "title", "categories", "tags", "published_at"];

    /// <summary>A '|'-separated list ("Action|Comedy"); empty or null is none.</summary>
    public static string[] List(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Unix seconds or an ISO 8601 time from 1970 on, in unix milliseconds; empty or null is 0 (unknown); otherwise the reason it is not.</summary>
    public static long PublishedAtMs(string? text, out string? fault)
    {
        fault = null;
        if (string.IsNullOrEmpty(text))
            return 0;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long seconds))
            return SecondsToMs(seconds, out fault);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.ToUnixTimeMilliseconds() >= 0)
            return time.ToUnixTimeMilliseconds();
        fault = $"'{text}' is neither unix seconds nor an ISO 8601 time from 1970 on";
        return 0;
    }

    /// <summary>Unix seconds in unix milliseconds, or the reason they are not a time from 1970 on.</summary>
    public static long SecondsToMs(long seconds, out string? fault)
    {
        fault = seconds < 0 || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? $"{seconds} is not a time in unix seconds from 1970 on" : null;
        return fault is null ? seconds * 1000 : 0;
    }
}
