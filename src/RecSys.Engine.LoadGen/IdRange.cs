using System.Globalization;

namespace RecSys.Engine.LoadGen;

/// <summary>An inclusive range of numeric ids, written <c>FIRST..LAST</c> (e.g. <c>1..1000</c>), that requests draw from.</summary>
public readonly record struct IdRange(long First, long Last)
{
    /// <summary>How many ids the range holds.</summary>
    public long Count => Last - First + 1;

    /// <summary>The id at <paramref name="offset"/> (taken modulo the range), so any counter or random draw lands inside.</summary>
    public long At(ulong offset) => First + (long)(offset % (ulong)Count);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{First}..{Last}");

    /// <summary>Parses <c>FIRST..LAST</c> (FIRST &lt;= LAST, both &gt;= 0); a bad value names <paramref name="flag"/>.</summary>
    public static IdRange Parse(string text, string flag)
    {
        int dots = text.IndexOf("..", StringComparison.Ordinal);
        if (dots <= 0
            || !long.TryParse(text.AsSpan(0, dots), NumberStyles.None, CultureInfo.InvariantCulture, out long first)
            || !long.TryParse(text.AsSpan(dots + 2), NumberStyles.None, CultureInfo.InvariantCulture, out long last))
            throw new LoadArgumentException(flag, $"'{text}' is not a range FIRST..LAST of non-negative ids (e.g. 1..1000)");
        if (last < first)
            throw new LoadArgumentException(flag, $"'{text}': LAST is below FIRST");
        if (last - first >= long.MaxValue - 1)
            throw new LoadArgumentException(flag, $"'{text}': the range is too wide");
        return new IdRange(first, last);
    }
}
