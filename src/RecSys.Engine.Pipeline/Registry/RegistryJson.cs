using System.Text.Json;
using System.Text.Json.Serialization;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>The JSON shape of the registry's files (snake_case, enums by name, indented: people read them).</summary>
internal static class RegistryJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// For files people write by hand (experiments): a field the type does not have, a null where a value is needed
    /// and a missing constructor argument are refused, not skipped: a misspelt "mmr_lamda" would otherwise run
    /// a variant identical to the control without a word.
    /// </summary>
    public static readonly JsonSerializerOptions Strict = new(Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Reads <paramref name="path"/> as a <typeparamref name="T"/>; a fault names the file and the field.</summary>
    public static T Read<T>(string path, string what, JsonSerializerOptions? options = null)
        where T : class
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: {what} not found", path);
        return Parse<T>(File.ReadAllBytes(path), path, what, options);
    }

    /// <summary>Parses <paramref name="utf8"/> as a <typeparamref name="T"/>; a fault names <paramref name="source"/> and the field.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8, string source, string what, JsonSerializerOptions? options = null)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(utf8, options ?? Options) ?? throw new InvalidDataException($"{source}: empty {what}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a valid {what}: {Describe(e)}", e);
        }
    }

    public static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>
    /// "experiments[0].variants[1].share (line 3, position 40): The JSON value could not be converted to System.Double.":
    /// the field first, as it is written in the file, then where and why (System.Text.Json's reason, without the
    /// location it appends, plus the parser's own words where the outer ones only name a type).
    /// </summary>
    private static string Describe(JsonException e)
    {
        string reason = e.Message;
        int at = reason.IndexOf(" Path: ", StringComparison.Ordinal);
        if (at < 0)
            at = reason.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        if (at >= 0)
            reason = reason[..at];
        if (e.InnerException is FormatException or InvalidOperationException)
            reason += $" ({e.InnerException.Message})";
        string field = e.Path is null or "$" ? "the document" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        string line = e.LineNumber is { } n ? $" (line {n + 1}, position {e.BytePositionInLine + 1})" : "";
        return $"{field}{line}: {reason}";
    }
}
