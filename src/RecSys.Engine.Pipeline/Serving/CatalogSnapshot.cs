using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Vectors.Storage;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Persistence;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// The part of the serving catalog that neither the registry nor the store holds: the numbering that grew while
/// serving (items added live, categories and segments the store's records are numbered by) and the content vectors
/// made live (encoded from titles the store does not keep).
/// <code>
///   DIR/CURRENT               the snapshot to read (durable replace: a crash leaves the old one or the new one)
///   DIR/s-TIME-RANDOM/
///     catalog.ids (+ names)   the live catalog id map
///     categories, segments    the key tables
///     content.vec, content.ids   content rows that differ from the active version's trained vectors, or lie beyond them
///     impressions.counts      impressions per ordinal (exploration, new items); absent from snapshots saved before it
///     snapshot.json           written last: the active version then, the content dimension, the table file names
/// </code>
/// Item records (categories, publish time, policy, deleted) are not here: the store is their durable copy and they
/// are read back from it on open. Impression counts are here, not in the store: the store keeps impressions per user
/// (the history, bounded) and decayed counters that sum event values (an impression's value is its surface code), and
/// served items counted without an event (<see cref="Config.PipelineConfig.CountServedImpressions"/>) never reach it,
/// so no store record holds the count exploration compares with its threshold. Beside the id map in one directory
/// under one pointer, the counts always index the ordinals they were counted for. Everything here is as of the last
/// save (a clean stop, <see cref="ServingState.SaveAsync"/>, or a server's timer, <see cref="ServingState.SaveCatalogAsync"/>
/// every Serving:CatalogSaveInterval): after a crash, items added since then are unknown until upserted again, and
/// impressions since then are lost (those items are explored a little longer). A snapshot written before the counts were kept loads with every count at zero.
/// </summary>
internal sealed class CatalogSnapshot : IDisposable
{
    private const string PointerFileName = "CURRENT";
    private const string ManifestFileName = "snapshot.json";

    private const string ImpressionsFileName = "impressions.counts";

    /// <param name="Impressions">The impression count file; null in a snapshot saved before counts were kept (read as zeros).</param>
    private sealed record Manifest(string Version, int ContentDimension, string Categories, string Segments, int ContentRows, string? Impressions = null);

    private CatalogSnapshot(string version, CatalogIdMap items, KeyTable categories, KeyTable segments, int contentDimension, int[] contentOrdinals, MappedVectorFile? contentRows,
        int[] impressions)
    {
        Version = version;
        Items = items;
        Categories = categories;
        Segments = segments;
        ContentDimension = contentDimension;
        ContentOrdinals = contentOrdinals;
        ContentRows = contentRows;
        Impressions = impressions;
    }

    /// <summary>The version that was active when the snapshot was saved (its trained rows are the ones left out).</summary>
    public string Version { get; }

    public CatalogIdMap Items { get; }

    public KeyTable Categories { get; }

    public KeyTable Segments { get; }

    public int ContentDimension { get; }

    public int[] ContentOrdinals { get; }

    /// <summary>Row i is the content vector of ordinal ContentOrdinals[i] (null when none were saved).</summary>
    public MappedVectorFile? ContentRows { get; }

    /// <summary>Impressions by ordinal of <see cref="Items"/> (possibly fewer than its count; the rest had none, or were not kept yet).</summary>
    public int[] Impressions { get; }

    /// <summary>
    /// Saves <paramref name="catalog"/> as served with <paramref name="version"/> (the active one): content rows that
    /// differ from its trained vectors (<paramref name="trainedRows"/>, row-major by ordinal; null = none).
    /// </summary>
    public static void Save(string directory, LiveCatalog catalog, string version, MappedVectorFile? trainedRows)
    {
        DurableFile.CreateDirectory(directory);
        string name = $"s-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}-{Random.Shared.Next(1 << 24):x6}";
        string dir = Path.Combine(directory, name);
        DurableFile.CreateDirectory(dir);
        catalog.Items.Save(dir);
        string categories = catalog.Categories.Save(dir, "categories");
        string segments = catalog.Segments.Save(dir, "segments");
        int rows = 0;
        if (catalog.Content is { } table)
            rows = SaveContent(dir, table, trainedRows);
        // After the id map: the caller holds the catalog writes, so no ordinal is added between the two and the counts
        // never outnumber the ids (requests still count impressions meanwhile; those may miss this save).
        ImpressionCountFile.Write(Path.Combine(dir, ImpressionsFileName), catalog.CopyImpressions());
        DurableFile.WriteAllBytes(Path.Combine(dir, ManifestFileName),
            RegistryJson.Bytes(new Manifest(version, catalog.Content?.Dimension ?? 0, categories, segments, rows, ImpressionsFileName)));
        DurableFile.WriteAllBytes(Path.Combine(directory, PointerFileName), System.Text.Encoding.UTF8.GetBytes(name));
        foreach (string old in Directory.EnumerateDirectories(directory, "s-*"))
        {
            if (Path.GetFileName(old) != name)
            {
                try { Directory.Delete(old, recursive: true); } catch (IOException) { /* an older snapshot left over is harmless */ }
            }
        }
    }

    private static int SaveContent(string dir, VectorTable table, MappedVectorFile? trained)
    {
        var ordinals = new List<long>();
        using (var writer = new VectorFileWriter(Path.Combine(dir, "content.vec"), table.Dimension))
        {
            int trainedCount = trained is not null && trained.Dimension == table.Dimension ? (int)trained.Count : 0;
            for (int o = 0; o < table.Length; o++)
            {
                ReadOnlySpan<float> row = table.Row(o);
                if (o < trainedCount)
                {
                    ReadOnlySpan<float> t = trained!.GetRow(o);
                    if (row.SequenceEqual(t.ContainsAnyExcept(0f) ? t : []))
                        continue;
                }
                else if (row.IsEmpty)
                {
                    continue;
                }
                // An empty row that differs from a trained one: the item lost its vector (stored as zeros).
                writer.Append(row.IsEmpty ? new float[table.Dimension] : row);
                ordinals.Add(o);
            }
            writer.Complete();
        }
        IdFile.Write(Path.Combine(dir, "content.ids"), ordinals.ToArray());
        return ordinals.Count;
    }

    /// <summary>The current snapshot in <paramref name="directory"/>, or null when none was saved yet. The caller disposes it.</summary>
    public static CatalogSnapshot? TryRead(string directory)
    {
        string pointer = Path.Combine(directory, PointerFileName);
        if (!File.Exists(pointer))
            return null;
        string name = File.ReadAllText(pointer).Trim();
        string dir = Path.Combine(directory, name);
        if (name.Length == 0 || name != Path.GetFileName(name) || !Directory.Exists(dir))
            throw new InvalidDataException($"{pointer}: names snapshot '{name}', which is not a directory of {directory}");
        var m = RegistryJson.Read<Manifest>(Path.Combine(dir, ManifestFileName), "serving catalog snapshot");
        var items = CatalogIdMap.Load(dir);
        var categories = KeyTable.Load(dir, m.Categories);
        var segments = KeyTable.Load(dir, m.Segments);
        int[] impressions = m.Impressions is null ? [] : ImpressionCountFile.Read(Path.Combine(dir, m.Impressions), items.Count);
        int[] ordinals = [];
        MappedVectorFile? rows = null;
        if (m.ContentDimension > 0)
        {
            ordinals = [.. IdFile.Read(Path.Combine(dir, "content.ids")).Select(o => checked((int)o))];
            rows = MappedVectorFile.Open(Path.Combine(dir, "content.vec"));
            if (rows.Count != ordinals.Length || rows.Count != m.ContentRows || rows.Dimension != m.ContentDimension)
            {
                rows.Dispose();
                throw new InvalidDataException($"{dir}: {rows.Count} content rows of {rows.Dimension} for {ordinals.Length} ordinals, the snapshot says {m.ContentRows} of {m.ContentDimension}");
            }
        }
        return new CatalogSnapshot(m.Version, items, categories, segments, m.ContentDimension, ordinals, rows, impressions);
    }

    /// <summary>The trained content rows of a version (its content model's vector file, mapped), or null.</summary>
    public static MappedVectorFile? TrainedContentRows(RegistryVersion version)
    {
        if (!version.Manifest.Models.TryGetValue("content", out string? dir))
            return null;
        string path = version.PathOf(dir);
        var model = ModelStore.ReadManifest(path, "content");
        return model.Files.TryGetValue("item_vectors", out string? file) ? MappedVectorFile.Open(Path.Combine(path, file)) : null;
    }

    public void Dispose() => ContentRows?.Dispose();
}
