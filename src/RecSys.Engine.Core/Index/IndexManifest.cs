using System.Text.Json;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index;

/// <summary>
/// index.json: what kind of index a directory holds and its shape. Written last on save (<see cref="DurableFile"/>),
/// so its presence means the data files beside it are complete.
/// </summary>
public sealed record IndexManifest(string Kind, int Version, int Dimension, DistanceMetric Metric, long Count)
{
    public static void Write(string path, string kind, int version, int dimension, DistanceMetric metric, long count)
    {
        using var file = DurableFile.Create(path, bufferSize: 4096);
        using (var json = new Utf8JsonWriter(file.Stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("kind", kind);
            json.WriteNumber("version", version);
            json.WriteNumber("dimension", dimension);
            json.WriteString("metric", metric.ToString());
            json.WriteNumber("count", count);
            json.WriteEndObject();
        }
        file.Commit();
    }

    public static IndexManifest Read(string path, string expectedKind, int supportedVersion)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: index manifest not found (not an index directory, or a save that never finished)", path);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            string kind = root.GetProperty("kind").GetString() ?? "";
            if (kind != expectedKind)
                throw new InvalidDataException($"{path}: holds a '{kind}' index, not '{expectedKind}'");
            int version = root.GetProperty("version").GetInt32();
            if (version != supportedVersion)
                throw new InvalidDataException($"{path}: {kind} index format version {version} is not supported (this build reads {supportedVersion})");
            int dimension = root.GetProperty("dimension").GetInt32();
            if (dimension < 1)
                throw new InvalidDataException($"{path}: dimension {dimension} must be at least 1");
            if (!Enum.TryParse<DistanceMetric>(root.GetProperty("metric").GetString(), out var metric) || !Enum.IsDefined(metric))
                throw new InvalidDataException($"{path}: unknown metric '{root.GetProperty("metric")}'");
            long count = root.GetProperty("count").GetInt64();
            if (count < 0)
                throw new InvalidDataException($"{path}: count {count} must not be negative");
            return new IndexManifest(kind, version, dimension, metric, count);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: malformed index manifest: {e.Message}", e);
        }
    }
}
