using System.Text.Json;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors.Storage;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>Opens a saved index directory with its own Load (memory-mapped), chosen by the kind its index.json names.</summary>
internal static class SavedIndex
{
    /// <param name="hnsw">An HNSW graph's search settings from its saved ones (null: the saved ones).</param>
    public static IVectorIndex Load(string directory, Func<HnswOptions, HnswOptions>? hnsw, Action<MappedVectorFile>? onMapped)
    {
        string manifest = Path.Combine(directory, FlatIndex.ManifestFileName);
        string? kind;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest));
            kind = doc.RootElement.TryGetProperty("kind", out var k) ? k.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{manifest}: malformed index manifest: {e.Message}", e);
        }
        return kind switch
        {
            "flat" => FlatIndex.Load(directory, onMapped),
            "hnsw" => hnsw is null ? HnswIndex.Load(directory, options: null, onMapped) : HnswIndex.Load(directory, hnsw, onMapped),
            "ivfpq" => IvfPqIndex.Load(directory, onMapped),
            _ => throw new InvalidDataException($"{manifest}: unknown index kind '{kind}' (known: flat, hnsw, ivfpq)"),
        };
    }
}
