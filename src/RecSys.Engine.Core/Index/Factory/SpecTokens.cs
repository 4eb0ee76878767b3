using System.Globalization;

namespace RecSys.Engine.Core.Index.Factory;

/// <summary>The token rules of the factory grammar: keywords match without regard to case, numbers are plain decimal digits.</summary>
internal static class SpecTokens
{
    /// <summary>The number after <paramref name="keyword"/> ("efc200" -> 200); null when the token is not keyword + digits.</summary>
    public static int? Number(string spec, string token, string keyword)
    {
        if (!IsNumbered(token, keyword))
            return null;
        var digits = token.AsSpan(keyword.Length);
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            throw new IndexSpecException(spec, token, null, $"{digits} is too large a number");
        return value;
    }

    /// <summary>True when the token is <paramref name="keyword"/> followed by one or more decimal digits.</summary>
    public static bool IsNumbered(string token, string keyword) =>
        token.Length > keyword.Length
        && token.StartsWith(keyword, StringComparison.OrdinalIgnoreCase)
        && !token.AsSpan(keyword.Length).ContainsAnyExceptInRange('0', '9');

    public static bool Is(string token, string keyword) => token.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Applies the option tokens of a <paramref name="kind"/> spec to <paramref name="result"/>, each matched
    /// against <paramref name="options"/> in order (so "efc" is listed before "ef"). A token no option matches,
    /// or a second token of the same option ("HNSW16,efc100,efc200"), is an error naming it.
    /// </summary>
    public static TSpec ApplyOptions<TSpec>(string spec, ReadOnlySpan<string> tokens, TSpec result, string kind, params SpecOption<TSpec>[] options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string token in tokens)
        {
            var (option, value) = Match(spec, token, options);
            if (option is null)
                throw new IndexSpecException(spec, token, null, $"not an option of {kind} (known: {string.Join(", ", options.Select(o => o.Form))})");
            if (!seen.Add(option.Keyword))
                throw new IndexSpecException(spec, token, null, $"{option.Keyword} is given more than once");
            result = option.SetNumber is not null ? option.SetNumber(result, value) : option.SetFlag!(result);
        }
        return result;
    }

    private static (SpecOption<TSpec>? Option, int Value) Match<TSpec>(string spec, string token, SpecOption<TSpec>[] options)
    {
        foreach (var option in options)
        {
            if (option.SetNumber is not null && Number(spec, token, option.Keyword) is int value)
                return (option, value);
            if (option.SetNumber is null && Is(token, option.Keyword))
                return (option, 0);
        }
        return (null, 0);
    }
}
