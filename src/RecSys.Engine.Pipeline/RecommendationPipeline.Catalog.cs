using System.Globalization;
using RecSys.Engine.Core.Validation;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.ColdStart;
using RecSys.Engine.Pipeline.Sources;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>
    /// Adds or updates an item while serving: the store first (durable), then the live catalog (filters, features),
    /// then its content vector (from the saved vocabulary) into the catalog and the content index, so the next
    /// request can retrieve it (content, new-items and similar-content sources). A new item has no CF factors until
    /// the next training; an item deleted before comes back into the CF index with its trained factors, and into every
    /// bulk-loaded embedding index that has a row for it. Writes are
    /// serialised; requests never wait for them. Many items at once: <see cref="UpsertItemsAsync"/>.
    /// </summary>
    public ValueTask UpsertItemAsync(long itemId, ItemAttributes item, CancellationToken cancellationToken = default) =>
        UpsertItemsAsync([ItemUpsert.Of(itemId, item)], single: true, cancellationToken);

    /// <summary>
    /// <see cref="UpsertItemAsync(long, ItemAttributes, CancellationToken)"/> for a string id (<see cref="CatalogIdMap.KeyOf"/>):
    /// the catalog keeps the string, so responses give it back. A string whose key another id holds is an ArgumentException.
    /// </summary>
    public ValueTask UpsertItemAsync(string itemId, ItemAttributes item, CancellationToken cancellationToken = default) =>
        UpsertItemsAsync([ItemUpsert.Of(itemId, item)], single: true, cancellationToken);

    /// <summary>
    /// Upserts several items as <see cref="UpsertItemAsync(long, ItemAttributes, CancellationToken)"/> does, in order,
    /// with one store commit and one journal fsync for all of them instead of one each (group commit): the streaming
    /// UpsertItems call and <c>recsys load --items</c> go through here. Every item is checked before any is written
    /// (an ArgumentException names its position, and then nothing changes). An id that comes twice splits the batch
    /// there, so the later upsert sees the earlier one as a single call would. When the store refuses some writes, the
    /// items it took are applied and the first failure is thrown; when the journal append fails, none of that group (the
    /// batch, or the part of it after an id's repeat) is applied, the journal's failure is thrown, and a retry writes it
    /// again. The token is honoured until the writes start.
    /// </summary>
    public ValueTask UpsertItemsAsync(IReadOnlyList<ItemUpsert> items, CancellationToken cancellationToken = default) =>
        UpsertItemsAsync(items, single: false, cancellationToken);

    /// <summary>Ordinals given to new items whose store write (or journal append) then failed (guarded by _catalogWrites).</summary>
    private readonly HashSet<int> _unstoredNewItems = [];

    /// <summary>
    /// Where catalog changes a restart needs (numbering, content rows) are journaled before a write returns; set by
    /// <see cref="ServingState"/> before it serves, null where nothing outlives the process (offline evaluation, tests).
    /// </summary>
    internal Serving.CatalogJournal? Journal { get; init; }

    /// <summary>One item of a batch, numbered and encoded, between its store write and its catalog change.</summary>
    private sealed class PreparedUpsert(ItemUpsert upsert, int ordinal, bool numbered, bool isNew, bool wasDeleted, ItemMetadata metadata, float[]? vector, bool contentChanged)
    {
        public ItemUpsert Upsert { get; } = upsert;
        public int Ordinal { get; } = ordinal;
        /// <summary>The id had an ordinal before this call: a journal record may name it already, so a restart may read its store record.</summary>
        public bool Numbered { get; } = numbered;
        public bool IsNew { get; } = isNew;
        public bool WasDeleted { get; } = wasDeleted;
        public ItemMetadata Metadata { get; } = metadata;
        public float[]? Vector { get; } = vector;
        public bool ContentChanged { get; } = contentChanged;
        public Task? Write { get; set; }
    }

    private async ValueTask UpsertItemsAsync(IReadOnlyList<ItemUpsert> items, bool single, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
            return;
        await _catalogWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Under the lock: the ids the catalog holds cannot change between this check and the numbering below.
            CheckItems(items, single);
            // Every serving version (the active one, and those experiment variants pin) takes the change in its indexes.
            var serving = ServingVersions();
            var group = new List<PreparedUpsert>(Math.Min(items.Count, 4096));
            var keys = new HashSet<long>();
            foreach (var upsert in items)
            {
                if (!keys.Add(upsert.Key))
                {
                    await CommitGroupAsync(group, serving).ConfigureAwait(false);
                    group.Clear();
                    keys.Clear();
                    keys.Add(upsert.Key);
                }
                group.Add(Prepare(upsert, serving));
            }
            await CommitGroupAsync(group, serving).ConfigureAwait(false);
        }
        finally
        {
            _catalogWrites.Release();
        }
    }

    /// <summary>
    /// Checks one item as an upsert would, without writing anything: an ArgumentException says what is wrong (a loader
    /// checks each row as it reads it, so its error can name the row).
    /// </summary>
    public void CheckItem(ItemUpsert item) => CheckItems([item], single: true);

    /// <summary>Every item's attributes and id, before anything is numbered or written; a refusal names the item's position.</summary>
    private void CheckItems(IReadOnlyList<ItemUpsert> items, bool single)
    {
        int dimension = Version.Models.Content?.Dimension ?? 0;
        Dictionary<long, string?>? names = single ? null : new(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            var (key, name, item) = items[i];
            string at = single ? "" : $"items[{i}]: ";
            try
            {
                ArgumentNullException.ThrowIfNull(item, nameof(item));
                if (item.Title is null || item.Categories is null || item.Tags is null)
                    throw new ArgumentException("title, categories and tags must not be null", nameof(item));
                if (item.PublishedAtMs < 0)
                    throw new ArgumentOutOfRangeException(nameof(item), item.PublishedAtMs, "PublishedAtMs must not be negative");
                CheckTextSize(item);
                if (item.ContentVector is { Count: > 0 } given && given.Count != dimension)
                    throw new ArgumentException($"the content vector has {given.Count} values; the content space has {dimension}", nameof(ItemAttributes.ContentVector));
                if (item.ContentVector is { Count: > 0 } values)
                {
                    for (int v = 0; v < values.Count; v++)
                    {
                        // The store and the journal would take it, then the index refuse it with the batch half applied,
                        // and the catalog keep the row every content score built from it reads.
                        if (!float.IsFinite(values[v]))
                            throw new ArgumentException($"the content vector's value {v} is {values[v]}; every value must be finite", nameof(ItemAttributes.ContentVector));
                    }
                }
                if (name is not null && CatalogIdMap.KeyOf(name) != key)
                    throw new ArgumentException($"the key {key} is not the key of id '{name}' ({CatalogIdMap.KeyOf(name)})", "itemId");
                // What GetOrAdd would refuse once the batch is half written: an id whose key the catalog, or an earlier
                // item of this batch, holds under another name.
                string? kept = name is null ? null : CatalogIdMap.NameKept(name);
                string? holder = null;
                bool held = names is not null && names.TryGetValue(key, out holder);
                if (!held && _catalog.Items.TryGetOrdinal(key, out int ordinal))
                    (held, holder) = (true, _catalog.Items.NameOf(ordinal));
                if (held && holder != kept)
                    throw new ArgumentException($"ids '{holder ?? key.ToString(CultureInfo.InvariantCulture)}' and '{kept ?? key.ToString(CultureInfo.InvariantCulture)}' map to the same key {key}; rename one", "itemId");
                names?.TryAdd(key, kept);
            }
            catch (ArgumentException e) when (!single)
            {
                throw new ArgumentException(at + ArgumentReason.Of(e), $"items[{i}]", e);
            }
        }
    }

    /// <summary>Refuses an item whose title, categories and tags take more than <see cref="ItemAttributes.MaxTextBytes"/> (UTF-8), naming the biggest.</summary>
    private static void CheckTextSize(ItemAttributes item)
    {
        long title = System.Text.Encoding.UTF8.GetByteCount(item.Title), categories = 0, tags = 0;
        foreach (string c in item.Categories)
            categories += System.Text.Encoding.UTF8.GetByteCount(c ?? "");
        foreach (string t in item.Tags)
            tags += System.Text.Encoding.UTF8.GetByteCount(t ?? "");
        long total = title + categories + tags;
        if (total <= ItemAttributes.MaxTextBytes)
            return;
        string field = title >= categories && title >= tags ? nameof(ItemAttributes.Title) : tags >= categories ? nameof(ItemAttributes.Tags) : nameof(ItemAttributes.Categories);
        throw new ArgumentException($"title, categories and tags take {total:N0} bytes of UTF-8 (title {title:N0}, categories {categories:N0}, tags {tags:N0}); "
            + $"an item may take at most {ItemAttributes.MaxTextBytes:N0}", field);
    }

    /// <summary>Numbers the item (a new id gets its ordinal now), and encodes what the store and the catalog will take.</summary>
    private PreparedUpsert Prepare(ItemUpsert upsert, List<Serving.PipelineVersion> serving)
    {
        bool numbered = _catalog.Items.TryGetOrdinal(upsert.Key, out int known);
        bool isNew = !numbered || _unstoredNewItems.Contains(known);
        int ordinal = upsert.Name is null ? _catalog.Items.GetOrAdd(upsert.Key) : _catalog.Items.GetOrAdd(upsert.Name);
        if (!numbered)
            _unstoredNewItems.Add(ordinal); // until the journal has it and the catalog took it
        bool wasDeleted = !isNew && _catalog.IsDeleted(ordinal);
        var metadata = _catalog.ToMetadata(upsert.Attributes);
        float[]? vector = ContentVector(upsert.Attributes, serving);
        bool contentChanged = vector is not null && !_catalog.Content!.Row(ordinal).SequenceEqual(vector.AsSpan().ContainsAnyExcept(0f) ? vector : []);
        return new PreparedUpsert(upsert, ordinal, numbered, isNew, wasDeleted, metadata, vector, contentChanged);
    }

    /// <summary>
    /// A group of distinct ids: the store writes (started together, so they share the store's commits), one journal
    /// record, then the catalog and index changes of every item the store took. The journal's rules per item:
    /// <list type="bullet">
    /// <item>A category or segment key that is new must be durable before the store takes a record of an id a restart
    /// may know already (numbered before, even by an upsert that failed after), or a crash between the two would let a restart give that number to another
    /// key and read the record under it: so such keys are journaled first, with one fsync for the group.</item>
    /// <item>A brand-new id is journaled after its store write: until then a restart does not know it and never reads the
    /// record (an id journaled without a record comes back deleted).</item>
    /// <item>Content vectors, which the store cannot give back, are journaled after the store writes and before the
    /// catalog changes and the call returns.</item>
    /// </list>
    /// </summary>
    private async ValueTask CommitGroupAsync(List<PreparedUpsert> group, List<Serving.PipelineVersion> serving)
    {
        if (group.Count == 0)
            return;
        if (group.Exists(p => p.Numbered))
        {
            // Not the group's brand-new ids (numbered last, in order): their records are not the store's yet.
            int brandNew = group.Where(p => !p.Numbered).Select(p => p.Ordinal).DefaultIfEmpty(int.MaxValue).Min();
            Journal?.AppendNewKeys(brandNew);
        }
        foreach (var p in group)
            p.Write = WriteItemToStore(p.Upsert.Key, p.Metadata);
        try
        {
            await Task.WhenAll(group.Select(p => p.Write!)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Inspected below, write by write: what the store took is applied, then the first failure is thrown.
        }
        Exception? failure = null;
        var stored = new List<PreparedUpsert>(group.Count);
        foreach (var p in group)
        {
            if (p.Write!.IsCompletedSuccessfully)
                stored.Add(p);
            else
                failure ??= p.Write.Exception?.InnerException ?? new OperationCanceledException($"the store did not take the upsert of item {p.Upsert.Key}");
        }
        if (stored.Count > 0)
        {
            // Durable before the catalog changes and the call returns: the ordinals (and any new category), and the
            // content vectors. The records themselves are the store's. A failure here applies nothing: the new ids stay
            // unstored, so a retry treats them as new and journals them again.
            string version = serving[0].Models.Version;
            var rows = new List<(int, Serving.JournaledContentRow)>();
            foreach (var p in stored)
            {
                if (p.ContentChanged)
                    rows.Add((p.Ordinal, new Serving.JournaledContentRow(version, p.Vector!)));
            }
            try
            {
                Journal?.AppendContent(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
            }
            catch (Exception journalFailure) when (failure is not null)
            {
                // Both failed: the caller (and the server's log) hears of both, not only the journal's.
                throw new AggregateException($"the store refused part of the batch ({failure.Message}), and the catalog journal append for the rest failed "
                    + $"({journalFailure.Message}); none of the batch was applied", journalFailure, failure);
            }
            foreach (var p in stored)
                Apply(p, serving);
        }
        if (failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>The store's upsert as a task that never throws synchronously (a refused write is a faulted task).</summary>
    private Task WriteItemToStore(long itemId, ItemMetadata metadata)
    {
        try
        {
            return _store.UpsertItemAsync(itemId, metadata, CancellationToken.None).AsTask();
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <summary>A stored, journaled item into the live catalog and every serving version's indexes.</summary>
    private void Apply(PreparedUpsert p, List<Serving.PipelineVersion> serving)
    {
        int ordinal = p.Ordinal;
        bool wasDeleted = p.WasDeleted;
        _unstoredNewItems.Remove(ordinal);
        _catalog.SetItem(ordinal, p.Metadata, p.IsNew);
        if (p.Vector is not null)
            UpdateContent(ordinal, p.Upsert.Attributes, p.Vector, p.ContentChanged, serving, reindex: p.IsNew || wasDeleted);
        UpdateTwoTower(ordinal, p.Upsert.Attributes, serving, reindex: p.IsNew || wasDeleted);
        if (!wasDeleted)
            return;
        foreach (var models in serving.Select(v => v.Models))
        {
            // Its trained row, or the row folded in from its users before the delete.
            if (models.CfIndex is { } cfIndex && models.AlsRows is { } alsRows)
            {
                ReadOnlySpan<float> row = alsRows.Row(ordinal);
                if (!row.IsEmpty)
                    cfIndex.Add([ordinal], row);
            }
            // The delete took the item out of the bulk-loaded embedding indexes too; its rows are still in the sets.
            foreach (var embedding in models.Embeddings.Values)
            {
                ReadOnlySpan<float> row = embedding.Row(ordinal);
                if (!row.IsEmpty)
                    embedding.Index.Add([ordinal], row);
            }
        }
    }

    /// <summary>
    /// The item's content vector in the active version's rows (<see cref="LiveCatalog.Content"/>, what the journal keeps):
    /// the one given, else the active version's encoder's; null when the catalog has no content space.
    /// </summary>
    private float[]? ContentVector(ItemAttributes item, List<Serving.PipelineVersion> serving)
    {
        var vocabulary = serving[0].Models.Content;
        if (_catalog.Content is null || vocabulary is null)
            return null;
        return ContentVector(item, vocabulary);
    }

    /// <summary>The item's content vector in <paramref name="vocabulary"/>'s space: the one given (every vocabulary takes it as it is), else its encoding.</summary>
    private static float[] ContentVector(ItemAttributes item, Models.Content.ContentVocabulary vocabulary)
    {
        var vector = new float[vocabulary.Dimension];
        if (item.ContentVector is { Count: > 0 } given)
        {
            for (int i = 0; i < vector.Length; i++)
                vector[i] = given[i];
        }
        else
        {
            vocabulary.Encode(item.Title, item.Categories, item.Tags, vector);
        }
        return vector;
    }

    /// <summary>
    /// The item's content vector into every serving version's rows and content index: <paramref name="vector"/> (the
    /// active version's, <paramref name="changed"/> against its rows) into the active version's table and the indexes of
    /// the versions that share it; a version of another vocabulary (an experiment variant) gets its own encoding in its
    /// own table and index, so each index keeps holding what its version's rows say.
    /// </summary>
    private void UpdateContent(int ordinal, ItemAttributes item, float[] vector, bool changed, List<Serving.PipelineVersion> serving, bool reindex)
    {
        var written = new List<(Catalog.VectorTable Rows, float[] Vector, bool Changed)>(1) { (_catalog.Content!, vector, changed) };
        _catalog.Content!.Set(ordinal, vector);
        foreach (var version in serving)
        {
            if (version.ContentRows is not { } rows)
                continue;
            int w = written.FindIndex(e => ReferenceEquals(e.Rows, rows));
            if (w < 0)
            {
                if (version.Models.Content is not { } vocabulary)
                    continue;
                float[] own = ContentVector(item, vocabulary);
                written.Add((rows, own, !rows.Row(ordinal).SequenceEqual(own.AsSpan().ContainsAnyExcept(0f) ? own : [])));
                rows.Set(ordinal, own);
                w = written.Count - 1;
            }
            var (_, row, moved) = written[w];
            if (version.Models.ContentIndex is not { } index || index.Dimension != row.Length || (!moved && !reindex))
                continue;
            // An HNSW remove repairs the graph around the hole: only pay for it when the vector really moved.
            if (!reindex)
                index.Remove([ordinal]);
            if (row.AsSpan().ContainsAnyExcept(0f))
                index.Add([ordinal], row);
        }
    }

    /// <summary>
    /// Deletes an item while serving: the store marks it (soft delete), the live catalog drops it from every answer at
    /// once, and it leaves the indexes (HNSW delete repairs the graph while searches go on).
    /// Unknown: <see cref="UnknownItemException"/>.
    /// </summary>
    public async ValueTask DeleteItemAsync(long itemId, CancellationToken cancellationToken = default) =>
        await DeleteItemsAsync([itemId], single: true, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Deletes several items as <see cref="DeleteItemAsync"/> does, with one index call per index for all of them: an
    /// HNSW index repairs a few deleted nodes' neighbourhoods, and a large batch with one pass over the graph instead of
    /// one neighbourhood repair per item. An unknown id deletes none (<see cref="UnknownItemException"/>, naming its
    /// position). The token is honoured until the batch starts; then every store write is started at once (they share
    /// the store's group commits), and each item the store took is deleted in the catalog and the indexes even when
    /// another write fails, so no item is deleted in the catalog and still in an index. Catalog writes (upserts, other
    /// deletes) wait for the batch. Nothing is journaled (<see cref="Serving.CatalogJournal"/>): a delete changes no
    /// numbering or content row, and the store has the mark durably before the catalog drops the item, so a restart
    /// reads it back with the record. Returns how many of the items were live before the call: an item deleted before
    /// (or listed twice) is taken again without complaint, and counts once or not at all, so a caller can tell.
    /// </summary>
    public ValueTask<int> DeleteItemsAsync(IReadOnlyList<long> itemIds, CancellationToken cancellationToken = default) =>
        DeleteItemsAsync(itemIds, single: false, cancellationToken);

    private async ValueTask<int> DeleteItemsAsync(IReadOnlyList<long> itemIds, bool single, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        var ordinals = new long[itemIds.Count];
        for (int i = 0; i < ordinals.Length; i++)
        {
            if (!_catalog.Items.TryGetOrdinal(itemIds[i], out int ordinal))
                throw new UnknownItemException(itemIds[i], single ? "itemId" : $"itemIds[{i}]");
            ordinals[i] = ordinal;
        }
        if (ordinals.Length == 0)
            return 0;
        await _catalogWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Every store write is started before any is awaited, so they share the store's group commits.
            var writes = new Task[ordinals.Length];
            for (int i = 0; i < writes.Length; i++)
                writes[i] = MarkDeletedInStore(itemIds[i]);
            try
            {
                await Task.WhenAll(writes).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Inspected below, write by write: what the store took is deleted everywhere, then the first failure is thrown.
            }
            var gone = new List<long>(ordinals.Length);
            int live = 0;
            Exception? failure = null;
            for (int i = 0; i < writes.Length; i++)
            {
                if (writes[i].IsCompletedSuccessfully)
                {
                    if (!_catalog.IsDeleted((int)ordinals[i]))
                        live++;
                    _catalog.MarkDeleted((int)ordinals[i]);
                    gone.Add(ordinals[i]);
                }
                else
                {
                    failure ??= writes[i].Exception?.InnerException ?? new OperationCanceledException($"the store did not take the delete of item {itemIds[i]}");
                }
            }
            if (gone.Count > 0)
            {
                long[] removed = [.. gone];
                foreach (var version in ServingVersions())
                {
                    version.Models.CfIndex?.Remove(removed);
                    version.Models.ContentIndex?.Remove(removed);
                    version.Models.TwoTowerIndex?.Remove(removed);
                    foreach (var embedding in version.Models.Embeddings.Values)
                        embedding.Index.Remove(removed);
                }
            }
            if (failure is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            return live;
        }
        finally
        {
            _catalogWrites.Release();
        }
    }

    /// <summary>The store's soft delete as a task that never throws synchronously (a refused write is a faulted task).</summary>
    private Task MarkDeletedInStore(long itemId)
    {
        try
        {
            return _store.MarkItemDeletedAsync(itemId, CancellationToken.None).AsTask();
        }
        catch (Exception e)
        {
            return Task.FromException(e);
        }
    }

    /// <summary>
    /// Adds or updates a user (sign-up, profile change): demographics decide the segment (see <see cref="UserProfiles"/>),
    /// onboarding categories feed the cold-start content profile. An unknown user needs no call: they are cold start.
    /// </summary>
    public async ValueTask UpsertUserAsync(long userId, UserAttributes user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Age < 0 || user.Age > 150)
            throw new ArgumentOutOfRangeException(nameof(user), user.Age, "Age must be in 0..150 (0 = unknown)");
        if (user.Gender is null || user.Occupation is null || user.Country is null || user.OnboardingCategories is null)
            throw new ArgumentException("gender, occupation, country and onboarding categories must not be null", nameof(user));
        UserProfile profile = UserProfiles.ToProfile(user, _catalog);
        // The profile holds its segment and onboarding categories as ints: keys they added are journaled before the
        // store holds them, or a crash between the two would leave the profile naming a number a restart gives to another key.
        // No item ids: a profile names none, and this runs outside the catalog-writes lock, so pending ids may be a
        // batch's brand-new ones whose store writes are in flight (journaled now, a crash before the batch's record
        // would bring them back live with no content row).
        Journal?.AppendNewKeys(itemsBelow: 0);
        await _store.UpsertUserProfileAsync(userId, profile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Re-ranks the popularity sources' per-segment lists with the store's decayed counters. Call it on a timer: a server
    /// started over a serving state does, every Serving:TrendingRefreshInterval (TrendingRefreshService).
    /// </summary>
    public async Task RefreshTrendingAsync(long? nowMs = null, CancellationToken cancellationToken = default)
    {
        long now = Now(nowMs);
        foreach (var version in ServingVersions())
        {
            foreach (var source in version.Sources.Values)
            {
                if (source is PopularitySource popularity)
                    await popularity.RefreshAsync(_store, now, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
