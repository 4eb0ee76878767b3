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

    /// <summary>Reads <paramref name="path"/> as a <typeparamref name="T"/>; a fault names the file.</summary>
    public static T Read<T>(string path, string what)
        where T : class
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: {what} not found", path);
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options) ?? throw new InvalidDataException($"{path}: empty {what}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid {what} ({e.Message})", e);
        }
    }

    public static byte[] Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);
}
