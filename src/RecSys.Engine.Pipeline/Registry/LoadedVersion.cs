using RecSys.Engine.Features;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// A registry version read from disk (<see cref="VersionLoader.Load"/>), not yet serving: its id map and key
/// tables, the models with their indexes mapped, the content model's item vectors, the ranker. Attaching it to a
/// serving catalog makes the <see cref="PipelineVersion"/>, which then owns the mappings and the ranker; a loaded
/// version never attached is disposed by its holder.
/// </summary>
public sealed class LoadedVersion : IDisposable
{
    private readonly OwnedResources _owned;
    private bool _attached;

    internal LoadedVersion(RegistryVersion source, CatalogIdMap items, KeyTable categories, KeyTable segments, ServingModels models,
        ContentEncoder? content, IRanker? ranker, OwnedResources owned)
    {
        Source = source;
        Items = items;
        Categories = categories;
        Segments = segments;
        Models = models;
        Content = content;
        Ranker = ranker;
        _owned = owned;
    }

    public RegistryVersion Source { get; }

    public string Id => Source.Id;

    /// <summary>The version's catalog id map (its models' item ordinals are the first of it).</summary>
    public CatalogIdMap Items { get; }

    public KeyTable Categories { get; }

    public KeyTable Segments { get; }

    public ServingModels Models { get; }

    /// <summary>The content model (item vectors of the version's items), when it has one.</summary>
    public ContentEncoder? Content { get; }

    /// <summary>The learned ranker, or null for the rank-fusion fallback.</summary>
    public IRanker? Ranker { get; }

    /// <summary>
    /// Makes this version serve against <paramref name="catalog"/> (called with item updates held off):
    /// <code>
    ///   items       its id map must agree with the catalog's on every ordinal both have; ids it has beyond the
    ///               catalog join the catalog (their records from the store)
    ///   segments    the popularity models' keys join the catalog's segment table
    ///   content     the version reads the content rows of its vocabulary: a table of <paramref name="servingRows"/>
    ///               (the serving versions' tables, each with the vocabulary that made it) of the same vocabulary is
    ///               shared, taking this version's vectors only where it has none; otherwise the version gets a table
    ///               of its own, its trained vectors and, for the items past them, its encoding of what the store keeps
    ///               (title, categories, tags). A table another vocabulary made is never written.
    ///   indexes     catch up with the live catalog: items added or re-encoded since the version was built go into
    ///               its content index (and, encoded by its item tower from the stored categories, tags and age, its
    ///               two-tower index), deleted items leave every index
    ///   fold-in     items added after its ALS model was trained, with enough users (the catalog's interactors), get
    ///               their CF rows folded in and join its CF index (ItemFoldIn)
    /// </code>
    /// then builds the version's sources under <paramref name="config"/>. The returned version owns this one's
    /// mappings and ranker.
    /// </summary>
    public async Task<PipelineVersion> AttachAsync(LiveCatalog catalog, IFeatureStore store, PipelineConfig config,
        IEnumerable<(ContentVocabulary? Vocabulary, VectorTable? Rows)> servingRows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(servingRows);
        ObjectDisposedException.ThrowIf(_attached || _owned.IsDisposed, this);
        CheckItems(catalog.Items);
        if (Content is not null && (catalog.Content is null || catalog.Content.Dimension != Content.Dimension))
            throw new InvalidOperationException($"version '{Id}': its content vectors have {Content.Dimension} dimensions, the serving catalog's "
                + (catalog.Content is null ? "none (it was opened without a content model)" : $"{catalog.Content.Dimension}") + "; it cannot be swapped in, restart on it");
        // Before anything below changes the live catalog (items, segments, content rows): a config this version does not
        // fit must leave the version being served exactly as it was.
        PipelineVersion.CheckSources(config, Models, catalog);
        await AddItemsAsync(catalog, store, cancellationToken).ConfigureAwait(false);
        foreach (var model in new[] { Models.Popularity, Models.Trending })
        {
            foreach (string key in model?.Options.BySegment == true ? model.SegmentKeys : [])
                catalog.Segments.GetOrAdd(key);
        }
        // A version without a content model reads the active version's rows (diversity, new items), as it always did:
        // none of its own (null), so each request reads the catalog's, which is the active version's after any swap.
        VectorTable? rows = null;
        if (Content is { } content)
        {
            rows = servingRows.FirstOrDefault(r => r.Rows is not null && SameVocabulary(r.Vocabulary, content.Vocabulary!)).Rows;
            if (rows is null)
            {
                // Another vocabulary than every serving version's: rows of its own, so that no other version's rows change.
                rows = new VectorTable(content.Dimension);
                CopyContentRows(rows, sameVocabulary: false);
                await EncodeLiveItemsAsync(catalog, store, rows, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                CopyContentRows(rows, sameVocabulary: true);
            }
        }
        CatchUpIndexes(catalog, rows, Content?.ItemCount ?? 0);
        await CatchUpTwoTowerAsync(catalog, store, cancellationToken).ConfigureAwait(false);
        await ColdStart.ItemFoldIn.CatchUpAsync(Models, catalog, store, config.ItemFoldInUsers, cancellationToken).ConfigureAwait(false);
        var version = PipelineVersion.Create(config, Models, catalog, Ranker, owned: _owned, contentRows: rows);
        _attached = true;
        return version;
    }

    private void CheckItems(CatalogIdMap serving)
    {
        int shared = Math.Min(serving.Count, Items.Count);
        for (int o = 0; o < shared; o++)
        {
            if (serving.ExternalId(o) != Items.ExternalId(o))
                throw new InvalidOperationException($"version '{Id}': its item id map has id {Items.ExternalId(o)} at ordinal {o}, the serving catalog "
                    + $"{serving.ExternalId(o)}; a version must extend the catalog's id space (build it from the serving catalog's ids)");
        }
    }

    /// <summary>The version's ids beyond the catalog join it, in order (so the ordinals agree), with their records from the store.</summary>
    private async Task AddItemsAsync(LiveCatalog catalog, IFeatureStore store, CancellationToken cancellationToken)
    {
        int first = catalog.Items.Count;
        int n = Items.Count - first;
        if (n <= 0)
            return;
        var ids = new long[n];
        for (int i = 0; i < n; i++)
            ids[i] = Items.ExternalId(first + i);
        var records = new ItemMetadata?[n];
        await store.GetItemsAsync(ids, records, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < n; i++)
        {
            int ordinal = Items.NameOf(first + i) is { } name ? catalog.Items.GetOrAdd(name) : catalog.Items.GetOrAdd(ids[i]);
            if (ordinal != first + i)
                throw new InvalidOperationException($"version '{Id}': item {ids[i]} got ordinal {ordinal} in the serving catalog, {first + i} in the version (an item was added meanwhile)");
            catalog.SetItem(ordinal, records[i] ?? new ItemMetadata(), isNew: false);
        }
    }

    /// <summary>
    /// Writes the version's content vectors into <paramref name="table"/>: all of them into its own table, or, into one
    /// its vocabulary shares with serving versions, only where a row is missing (a row there may be a live re-encoding
    /// the other versions' indexes hold, in the same space).
    /// </summary>
    private void CopyContentRows(VectorTable table, bool sameVocabulary)
    {
        var content = Content!;
        for (int o = 0; o < content.ItemCount; o++)
        {
            if (!sameVocabulary || !table.HasRow(o))
                table.Set(o, content.ItemVector(o));
        }
    }

    /// <summary>
    /// Items past the version's trained content vectors (added live, or trained by another version only) into its own
    /// table, encoded by its vocabulary from what the store keeps (title, categories, tags: what the upsert encoded; a
    /// record stored before titles were kept has none), one batch read. A vector an upsert gave explicitly is not stored either: the item gets its encoding.
    /// </summary>
    private async Task EncodeLiveItemsAsync(LiveCatalog catalog, IFeatureStore store, VectorTable table, CancellationToken cancellationToken)
    {
        var vocabulary = Content!.Vocabulary!;
        int first = Content.ItemCount;
        var records = await ReadRecordsAsync(catalog, store, first, cancellationToken).ConfigureAwait(false);
        var vector = new float[vocabulary.Dimension];
        for (int o = first; o < first + records.Length; o++)
        {
            if (catalog.IsDeleted(o) || records[o - first] is not { } record)
                continue;
            vocabulary.Encode(record.Title, catalog.CategoryNames(record.Categories), record.Tags, vector);
            table.Set(o, vector);
        }
    }

    /// <summary>The store's records of the catalog's ordinals from <paramref name="first"/> on, one batch read (empty when there are none).</summary>
    private static async Task<ItemMetadata?[]> ReadRecordsAsync(LiveCatalog catalog, IFeatureStore store, int first, CancellationToken cancellationToken)
    {
        int length = catalog.Length;
        if (length <= first)
            return [];
        var ids = new long[length - first];
        for (int o = first; o < length; o++)
            ids[o - first] = catalog.Items.ExternalId(o);
        var records = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, records, cancellationToken).ConfigureAwait(false);
        return records;
    }

    /// <summary>Items the version's indexes do not know as <paramref name="table"/> (its content rows) and the catalog have them now: re-encoded or added live, or deleted.</summary>
    private void CatchUpIndexes(LiveCatalog catalog, VectorTable? table, int trainedContent)
    {
        int length = catalog.Length;
        for (int o = 0; o < length; o++)
        {
            if (catalog.IsDeleted(o))
            {
                Models.CfIndex?.Remove([o]);
                Models.ContentIndex?.Remove([o]);
                Models.TwoTowerIndex?.Remove([o]);
                foreach (var embedding in Models.Embeddings.Values)
                    embedding.Index.Remove([o]);
                continue;
            }
            if (Models.ContentIndex is not { } index || table is null)
                continue;
            ReadOnlySpan<float> row = table.Row(o);
            if (o < trainedContent)
            {
                ReadOnlySpan<float> trained = Content!.ItemVector(o);
                if (row.SequenceEqual(trained.ContainsAnyExcept(0f) ? trained : []))
                    continue;
                index.Remove([o]);
            }
            if (!row.IsEmpty)
                index.Add([o], row);
        }
    }

    /// <summary>
    /// Items past the two-tower's trained ones (added live since it was built) into its index: the item tower encodes each
    /// from what the store keeps (title, categories, tags, publish time), one batch read.
    /// </summary>
    private async Task CatchUpTwoTowerAsync(LiveCatalog catalog, IFeatureStore store, CancellationToken cancellationToken)
    {
        if (Models.TwoTower is not { } model || Models.TwoTowerIndex is not { } index)
            return;
        int first = model.ItemCount;
        var records = await ReadRecordsAsync(catalog, store, first, cancellationToken).ConfigureAwait(false);
        int length = first + records.Length;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var vector = new float[model.Dimension];
        for (int o = first; o < length; o++)
        {
            if (catalog.IsDeleted(o) || records[o - first] is not { } record)
                continue;
            double? ageDays = record.PublishedAtMs > 0 ? Math.Max(0, now - record.PublishedAtMs) / 86_400_000.0 : null;
            model.EncodeItem(o, record.Title, catalog.CategoryNames(record.Categories), record.Tags, ageDays, vector);
            index.Add([o], vector);
            Models.TwoTowerRows!.Set(o, vector);
        }
    }

    /// <summary>Whether two vocabularies encode alike (the same table serves both).</summary>
    internal static bool SameVocabulary(ContentVocabulary? a, ContentVocabulary b) =>
        a is not null && (ReferenceEquals(a, b) || a.Dimension == b.Dimension && a.Categories.SequenceEqual(b.Categories) && a.Idf.SequenceEqual(b.Idf)
            && a.Options == b.Options);

    /// <summary>Releases the mappings and the ranker of a version that was never attached.</summary>
    public void Dispose()
    {
        if (!_attached)
            _owned.Dispose();
    }
}
