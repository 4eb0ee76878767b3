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
    /// serialised; requests never wait for them.
    /// </summary>
    public ValueTask UpsertItemAsync(long itemId, ItemAttributes item, CancellationToken cancellationToken = default) =>
        UpsertItemAsync(itemId, null, item, cancellationToken);

    /// <summary>
    /// <see cref="UpsertItemAsync(long, ItemAttributes, CancellationToken)"/> for a string id (<see cref="CatalogIdMap.KeyOf"/>):
    /// the catalog keeps the string, so responses give it back. A string whose key another id holds is an ArgumentException.
    /// </summary>
    public ValueTask UpsertItemAsync(string itemId, ItemAttributes item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        return UpsertItemAsync(CatalogIdMap.KeyOf(itemId), itemId, item, cancellationToken);
    }

    /// <summary>Ordinals given to new items whose store write (or journal append) then failed (guarded by _catalogWrites).</summary>
    private readonly HashSet<int> _unstoredNewItems = [];

    /// <summary>
    /// Where catalog changes a restart needs (numbering, content rows) are journaled before a write returns; set by
    /// <see cref="ServingState"/> before it serves, null where nothing outlives the process (offline evaluation, tests).
    /// </summary>
    internal Serving.CatalogJournal? Journal { get; init; }

    private async ValueTask UpsertItemAsync(long itemId, string? name, ItemAttributes item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Title is null || item.Categories is null || item.Tags is null)
            throw new ArgumentException("title, categories and tags must not be null", nameof(item));
        if (item.PublishedAtMs < 0)
            throw new ArgumentOutOfRangeException(nameof(item), item.PublishedAtMs, "PublishedAtMs must not be negative");
        if (item.ContentVector is { Count: > 0 } given && given.Count != (Version.Models.Content?.Dimension ?? 0))
            throw new ArgumentException($"the content vector has {given.Count} values; the content space has {Version.Models.Content?.Dimension ?? 0}", nameof(ItemAttributes.ContentVector));
        await _catalogWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Every serving version (the active one, and those experiment variants pin) takes the change in its indexes.
            var serving = ServingVersions();
            bool numbered = _catalog.Items.TryGetOrdinal(itemId, out int known);
            bool isNew = !numbered || _unstoredNewItems.Contains(known);
            int ordinal = name is null ? _catalog.Items.GetOrAdd(itemId) : _catalog.Items.GetOrAdd(name);
            bool wasDeleted = !isNew && _catalog.IsDeleted(ordinal);
            var metadata = _catalog.ToMetadata(item);
            float[]? vector = ContentVector(item, serving);
            bool contentChanged = vector is not null && !_catalog.Content!.Row(ordinal).SequenceEqual(vector.AsSpan().ContainsAnyExcept(0f) ? vector : []);
            try
            {
                // An id numbered before may be journaled already, so a restart reads its record back: any category the
                // record now holds as a new int is journaled before the store takes it, or a crash between the two would
                // let a restart give that number to another key and read this record under it. A brand-new id is not:
                // until its own record below, a restart does not know it and never reads the record.
                if (numbered)
                    Journal?.AppendNumbering();
                await _store.UpsertItemAsync(itemId, metadata, cancellationToken).ConfigureAwait(false);
                // Durable before the catalog changes and the call returns: the ordinal (and any new category), and the
                // content vector, which the store cannot give back (it keeps no title). The record itself is the store's.
                if (contentChanged)
                    Journal?.AppendContent(ordinal, serving[0].Models.Version, vector);
                else if (!numbered)
                    Journal?.AppendNumbering();
            }
            catch when (isNew)
            {
                // The id has its ordinal now (the id map only grows), but the store never took the item, or the journal
                // did not: a retry must still treat it as new.
                _unstoredNewItems.Add(ordinal);
                throw;
            }
            _unstoredNewItems.Remove(ordinal);
            _catalog.SetItem(ordinal, metadata, isNew);
            if (vector is not null)
                UpdateContent(ordinal, vector, contentChanged, serving, reindex: isNew || wasDeleted);
            UpdateTwoTower(ordinal, item, serving, reindex: isNew || wasDeleted);
            foreach (var models in serving.Select(v => v.Models))
            {
                if (!wasDeleted)
                    continue;
                if (models.CfIndex is { } cfIndex && models.Als is { } als && (uint)ordinal < (uint)als.ItemCount)
                {
                    ReadOnlySpan<float> row = als.ItemRow(ordinal);
                    if (row.ContainsAnyExcept(0f))
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
        finally
        {
            _catalogWrites.Release();
        }
    }

    /// <summary>The item's content vector: the one given, else the active version's encoder's; null when the catalog has no content space.</summary>
    private float[]? ContentVector(ItemAttributes item, List<Serving.PipelineVersion> serving)
    {
        var vocabulary = serving[0].Models.Content;
        if (_catalog.Content is null || vocabulary is null)
            return null;
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

    /// <summary>The item's content vector into the catalog, and into every serving version's content index.</summary>
    private void UpdateContent(int ordinal, float[] vector, bool changed, List<Serving.PipelineVersion> serving, bool reindex)
    {
        _catalog.Content!.Set(ordinal, vector);
        foreach (var version in serving)
        {
            if (version.Models.ContentIndex is not { } index || index.Dimension != vector.Length || (!changed && !reindex))
                continue;
            // An HNSW remove repairs the graph around the hole: only pay for it when the vector really moved.
            if (!reindex)
                index.Remove([ordinal]);
            if (vector.AsSpan().ContainsAnyExcept(0f))
                index.Add([ordinal], vector);
        }
    }

    /// <summary>
    /// Deletes an item while serving: the store marks it (soft delete), the live catalog drops it from every answer at
    /// once, and it leaves the indexes (HNSW delete repairs the graph while searches go on).
    /// Unknown: <see cref="UnknownItemException"/>.
    /// </summary>
    public ValueTask DeleteItemAsync(long itemId, CancellationToken cancellationToken = default) =>
        DeleteItemsAsync([itemId], single: true, cancellationToken);

    /// <summary>
    /// Deletes several items as <see cref="DeleteItemAsync"/> does, with one index call per index for all of them: an
    /// HNSW index repairs a few deleted nodes' neighbourhoods, and a large batch with one pass over the graph instead of
    /// one neighbourhood repair per item. An unknown id deletes none (<see cref="UnknownItemException"/>, naming its
    /// position). The token is honoured until the batch starts; then every store write is started at once (they share
    /// the store's group commits), and each item the store took is deleted in the catalog and the indexes even when
    /// another write fails, so no item is deleted in the catalog and still in an index. Catalog writes (upserts, other
    /// deletes) wait for the batch. Nothing is journaled (<see cref="Serving.CatalogJournal"/>): a delete changes no
    /// numbering or content row, and the store has the mark durably before the catalog drops the item, so a restart
    /// reads it back with the record.
    /// </summary>
    public ValueTask DeleteItemsAsync(IReadOnlyList<long> itemIds, CancellationToken cancellationToken = default) =>
        DeleteItemsAsync(itemIds, single: false, cancellationToken);

    private async ValueTask DeleteItemsAsync(IReadOnlyList<long> itemIds, bool single, CancellationToken cancellationToken)
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
            return;
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
            Exception? failure = null;
            for (int i = 0; i < writes.Length; i++)
            {
                if (writes[i].IsCompletedSuccessfully)
                {
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
        Journal?.AppendNumbering();
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
