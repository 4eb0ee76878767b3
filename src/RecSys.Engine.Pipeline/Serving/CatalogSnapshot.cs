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
///     interactors             the users of each item added after training (what its CF row is folded in from);
///                             absent from snapshots saved before it
///     snapshot.json           written last: the active version then, the content dimension, the table file names,
///                             the first journal file not in the snapshot
///   DIR/journal-N             the catalog journal (<see cref="CatalogJournal"/>): every change since, replayed over it
/// </code>
/// Item records (categories, publish time, policy, deleted) are not here: the store is their durable copy and they
/// are read back from it on open. Impression counts are here, not in the store: the store keeps impressions per user
/// (the history, bounded) and decayed counters that sum event values (an impression's value is its surface code), and
/// served items counted without an event (<see cref="Config.PipelineConfig.CountServedImpressions"/>) never reach it,
/// so no store record holds the count exploration compares with its threshold. Beside the id map in one directory
/// under one pointer, the counts always index the ordinals they were counted for. The numbering and the content rows
/// are as of the last save plus the journal, so a crash loses none of them; the counts are as of the last save (a clean
/// stop, <see cref="ServingState.SaveAsync"/>, or a server's timer, <see cref="ServingState.SaveCatalogAsync"/> every
/// Serving:CatalogSaveInterval): impressions since then are lost after a crash (those items are explored a little
/// longer). The item interactors follow the counts' rule: users who interacted with an item since the last save are
/// missing from its list after a crash (their events are in the store; the item's CF row is folded from fewer users
/// until new ones come). A snapshot written before the counts were kept loads with every count at zero; one written before the
/// journal replays every journal file there is (none, unless the directory was shared).
/// </summary>
internal sealed class CatalogSnapshot : IDisposable
{
    private const string PointerFileName = "CURRENT";
    private const string ManifestFileName = "snapshot.json";

    private const string ImpressionsFileName = "impressions.counts";

    private const string InteractorsFileName = "interactors";

    /// <param name="Impressions">The impression count file; null in a snapshot saved before counts were kept (read as zeros).</param>
    /// <param name="Journal">The first journal file the snapshot does not hold; 0 in one saved before the journal (replay them all).</param>
    /// <param name="Interactors">The item interactors file; null in a snapshot saved before they were kept (none).</param>
    private sealed record Manifest(string Version, int ContentDimension, string Categories, string Segments, int ContentRows, string? Impressions = null, long Journal = 0,
        string? Interactors = null);

    private CatalogSnapshot(string name, string version, CatalogIdMap items, KeyTable categories, KeyTable segments, int contentDimension, int[] contentOrdinals, MappedVectorFile? contentRows,
        int[] impressions, List<(int, long[])> interactors, long journalFrom)
    {
        Interactors = interactors;
        Name = name;
        JournalFrom = journalFrom;
        Version = version;
        Items = items;
        Categories = categories;
        Segments = segments;
        ContentDimension = contentDimension;
        ContentOrdinals = contentOrdinals;
        ContentRows = contentRows;
        Impressions = impressions;
    }

    /// <summary>The snapshot's directory name (what CURRENT holds).</summary>
    public string Name { get; }

    /// <summary>The first journal file whose changes are not in the snapshot (0: every one).</summary>
    public long JournalFrom { get; }

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

    /// <summary>The users of each item added after training, by ordinal of <see cref="Items"/> (empty in a snapshot saved before they were kept).</summary>
    public List<(int Ordinal, long[] Users)> Interactors { get; }

    /// <summary>
    /// Saves <paramref name="capture"/> (the catalog as served with its version, the active one) and makes it the current
    /// snapshot: content rows that differ from that version's trained vectors (<paramref name="trainedRows"/>, row-major
    /// by ordinal; null = none). Returns the snapshot's directory name.
    /// </summary>
    public static string Save(string directory, CatalogCapture capture, MappedVectorFile? trainedRows)
    {
        DurableFile.CreateDirectory(directory);
        string name = $"s-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmssfff'Z'}-{Random.Shared.Next(1 << 24):x6}";
        string dir = Path.Combine(directory, name);
        DurableFile.CreateDirectory(dir);
        CatalogIdMap.Save(dir, capture.Ids, capture.Names);
        string categories = KeyTable.Save(dir, "categories", capture.Categories);
        string segments = KeyTable.Save(dir, "segments", capture.Segments);
        int rows = capture.ContentDimension > 0 ? SaveContent(dir, capture.ContentDimension, capture.ContentRows, trainedRows) : 0;
        // Captured with the id map while no ordinal could be added, so the counts never outnumber the ids.
        ImpressionCountFile.Write(Path.Combine(dir, ImpressionsFileName), capture.Impressions);
        ItemInteractorsFile.Write(Path.Combine(dir, InteractorsFileName), capture.Interactors);
        DurableFile.WriteAllBytes(Path.Combine(dir, ManifestFileName),
            RegistryJson.Bytes(new Manifest(capture.Version, capture.ContentDimension, categories, segments, rows, ImpressionsFileName, capture.JournalFrom, InteractorsFileName)));
        DurableFile.WriteAllBytes(Path.Combine(directory, PointerFileName), System.Text.Encoding.UTF8.GetBytes(name));
        foreach (string old in Directory.EnumerateDirectories(directory, "s-*"))
        {
            if (Path.GetFileName(old) != name)
            {
                try { Directory.Delete(old, recursive: true); } catch (IOException) { /* an older snapshot left over is harmless */ }
            }
        }
        return name;
    }

    private static int SaveContent(string dir, int dimension, float[]?[] table, MappedVectorFile? trained)
    {
        var ordinals = new List<long>();
        using (var writer = new VectorFileWriter(Path.Combine(dir, "content.vec"), dimension))
        {
            int trainedCount = trained is not null && trained.Dimension == dimension ? (int)trained.Count : 0;
            for (int o = 0; o < table.Length; o++)
            {
                ReadOnlySpan<float> row = table[o];
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
                writer.Append(row.IsEmpty ? new float[dimension] : row);
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
        var interactors = m.Interactors is null ? [] : ItemInteractorsFile.Read(Path.Combine(dir, m.Interactors), items.Count);
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
        if (m.Journal < 0)
            throw new InvalidDataException($"{Path.Combine(dir, ManifestFileName)}: journal {m.Journal} (corrupt)");
        return new CatalogSnapshot(name, m.Version, items, categories, segments, m.ContentDimension, ordinals, rows, impressions, interactors, m.Journal);
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
