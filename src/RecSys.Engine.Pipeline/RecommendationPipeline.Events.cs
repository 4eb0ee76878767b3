using System.Numerics;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.ColdStart;
using RecSys.Engine.Pipeline.Collections;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    [ThreadStatic]
    private static FoldInScratch? t_foldIn;

    [ThreadStatic]
    private static OrdinalMap? t_distinct;

    /// <summary>
    /// Records events and returns once the next request reflects them:
    /// <code>
    ///   validate all (unknown item: UnknownItemException naming events[i].ItemId; bad type or value: ArgumentException)
    ///   -> the store, one acknowledged batch: history appended, item and item x segment counters (the user's segment)
    ///   -> impressions counted (exploration); other events noted for the trending refresh
    ///   -> each user with a new interaction: fold-in over the stored history (ALS, items fixed) -> the store's CF vector
    /// </code>
    /// So the very next request filters the item as seen and searches with the folded-in vector.
    /// </summary>
    public async ValueTask RecordEventsAsync(IReadOnlyList<InteractionEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
            return;
        var version = Version;
        var ordinals = new int[events.Count];
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (!Enum.IsDefined(e.Type))
                throw new ArgumentOutOfRangeException($"events[{i}].Type", e.Type, "unknown event type");
            if (!float.IsFinite(e.Value))
                throw new ArgumentException($"events[{i}].Value is {e.Value}; it must be finite", $"events[{i}].Value");
            if (e.TimestampMs < 0)
                throw new ArgumentOutOfRangeException($"events[{i}].TimestampMs", e.TimestampMs, "must not be negative");
            if (!_catalog.Items.TryGetOrdinal(e.ItemId, out ordinals[i]))
                throw new UnknownItemException(e.ItemId, $"events[{i}].ItemId");
        }

        // The store keeps impressions per surface code, for a bounded number of codes. An impression whose value names no
        // surface of a serving version is kept as one of no surface (0), so a stray value cannot crowd out a real
        // surface's impressions; it is counted, and the batch (with its clicks) is not refused for it.
        var servingNow = ServingVersions();
        var segments = new Dictionary<long, int>();
        var foldIn = new HashSet<long>();
        var stored = new UserEvent[events.Count];
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (!segments.TryGetValue(e.UserId, out int segment))
            {
                var profile = await _store.GetUserProfileAsync(e.UserId, cancellationToken).ConfigureAwait(false);
                segments[e.UserId] = segment = profile?.Segment ?? -1;
            }
            float value = e.Value;
            if (e.Type == EventType.Impression && value != 0 && !IsSurfaceCode(servingNow, value))
            {
                value = 0;
                Interlocked.Increment(ref Stats._impressionsWithoutSurface);
            }
            stored[i] = new UserEvent(e.UserId, e.ItemId, e.Type, value, e.TimestampMs, segment);
            if (e.Type != EventType.Impression)
                foldIn.Add(e.UserId);
        }
        await _store.AppendEventsAsync(stored, cancellationToken).ConfigureAwait(false);
        Interlocked.Add(ref Stats._events, events.Count);
        AttributeClicks(events);
        var serving = servingNow;

        for (int i = 0; i < events.Count; i++)
        {
            if (events[i].Type == EventType.Impression)
            {
                _catalog.AddImpression(ordinals[i]);
                continue;
            }
            foreach (var v in serving)
            {
                foreach (var source in v.Sources.Values)
                {
                    if (source is PopularitySource popularity)
                        popularity.NoteEvent(ordinals[i]);
                }
            }
        }
        if (version.Models.Als is not null)
        {
            foreach (long user in foldIn)
                await FoldInUserAsync(user, version.Models, cancellationToken).ConfigureAwait(false);
        }
        await FoldInItemsAsync(events, ordinals, serving).ConfigureAwait(false);
    }

    /// <summary>
    /// The item fold-in's side of an event batch (<see cref="ItemFoldIn"/>): each user of an item that a serving model has
    /// no usable trained row for (added after training, or trained without events) joins the item's interactors; an item
    /// that gained one, with enough users for some serving version (<see cref="Config.PipelineConfig.ItemFoldInUsers"/>),
    /// is folded in again by every serving model whose version's threshold its users reach. After the users' own fold-ins, so the vectors it reads count this batch.
    /// <para>
    /// Best effort, and never the call's failure: the events are stored by now, and a failed call would be retried and
    /// store them twice. The fold-ins take the catalog writes (index inserts) but wait for them at most
    /// <see cref="PipelineOptions.ItemFoldInWait"/> (a long upsert stream or a swap holds them), without the call's token.
    /// An item not folded in (the wait ran out, a store read failed) is pending: its next event folds it in, whoever sends
    /// it. Counted in <see cref="PipelineStats.ItemFoldInsDeferred"/>.
    /// </para>
    /// </summary>
    private async ValueTask FoldInItemsAsync(IReadOnlyList<InteractionEvent> events, int[] ordinals, List<PipelineVersion> serving)
    {
        int fewestUsers = int.MaxValue;
        foreach (var v in serving)
        {
            if (v.Models.Als is not null)
                fewestUsers = Math.Min(fewestUsers, v.Config.ItemFoldInUsers);
        }
        if (fewestUsers == int.MaxValue)
            return;
        List<int>? due = null;
        List<(int, long)>? added = null;
        // Taken at the first item that needs it (most batches touch none) and held through the journal append: a call
        // whose Add finds its user already there then returns only after the call that added the user has journaled
        // it, never while that append is still to come (a crash there would lose a user both calls acknowledged).
        // The append is one fsync, and appends are serialised by the journal anyway.
        bool appending = false;
        try
        {
            for (int i = 0; i < events.Count; i++)
            {
                int ordinal = ordinals[i];
                if (events[i].Type is EventType.Impression or EventType.Dislike || !AnyModelNeedsFoldIn(serving, ordinal))
                    continue;
                if (!appending)
                {
                    _interactorAppends.Enter();
                    appending = true;
                }
                bool grew = _catalog.Interactors.Add(ordinal, events[i].UserId, out int users);
                if (grew)
                    (added ??= []).Add((ordinal, events[i].UserId));
                if ((grew || _pendingItemFoldIns.ContainsKey(ordinal)) && users >= fewestUsers && !(due ??= []).Contains(ordinal))
                    due.Add(ordinal);
            }
            if (added is not null)
                JournalInteractors(added);
        }
        finally
        {
            if (appending)
                _interactorAppends.Exit();
        }
        if (due is null)
            return;
        if (!await _catalogWrites.WaitAsync(_options.ItemFoldInWait).ConfigureAwait(false))
        {
            foreach (int ordinal in due)
                _pendingItemFoldIns.TryAdd(ordinal, 0);
            Interlocked.Add(ref Stats._itemFoldInsDeferred, due.Count);
            return;
        }
        try
        {
            // Read again under the lock: a version retired while this batch waited is not written to, and one swapped
            // in (which folded in what it found at its attach) takes this batch's users.
            serving = ServingVersions();
            foreach (int ordinal in due)
            {
                try
                {
                    await FoldInItemLockedAsync(ordinal, serving).ConfigureAwait(false);
                    _pendingItemFoldIns.TryRemove(ordinal, out _);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _pendingItemFoldIns.TryAdd(ordinal, 0);
                    Interlocked.Increment(ref Stats._itemFoldInsDeferred);
                    if (_options.Logger is { } logger)
                        s_logItemFoldInFailed(logger, _catalog.Items.ExternalId(ordinal), e.Message, e);
                }
            }
        }
        finally
        {
            _catalogWrites.Release();
        }
    }

    /// <summary>
    /// Makes the users just added to items' interactors durable (<see cref="Serving.CatalogJournal.AppendInteractors"/>),
    /// so a crash before the next snapshot save does not fold those items in from fewer users after it. After they are
    /// added in memory: a save that rotates the journal between the two captures them, so they are in the snapshot or in
    /// a journal file after it. A failed append is logged, not the call's failure (the events are stored); the next save
    /// holds them.
    /// </summary>
    private void JournalInteractors(List<(int, long)> added)
    {
        if (Journal is not { } journal)
            return;
        try
        {
            BeforeInteractorsJournaled?.Invoke();
            journal.AppendInteractors(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(added));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException or InvalidOperationException)
        {
            if (_options.Logger is { } logger)
                s_logInteractorsNotJournaled(logger, added.Count, e.Message, e);
        }
    }

    /// <summary>Whether some serving ALS model has no usable trained row for the item (past its items, or an all-zero row).</summary>
    private static bool AnyModelNeedsFoldIn(List<PipelineVersion> serving, int ordinal)
    {
        foreach (var v in serving)
        {
            if (v.Models.AlsRows is { } rows && rows.NeedsFoldIn(ordinal))
                return true;
        }
        return false;
    }

    /// <summary>Held from an event batch's first interactor Add to its journal append (<see cref="FoldInItemsAsync"/>).</summary>
    private readonly Lock _interactorAppends = new();

    /// <summary>Test seam: runs just before an interactor journal append, with <see cref="_interactorAppends"/> held.</summary>
    internal Action? BeforeInteractorsJournaled { get; set; }

    /// <summary>Items whose fold-in was deferred or failed: their next event folds them in.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> _pendingItemFoldIns = new();

    private async ValueTask FoldInItemLockedAsync(int ordinal, List<PipelineVersion> serving)
    {
        long[] users = _catalog.Interactors.UsersOf(ordinal);
        // The index entry moves at 4, 8, 16, .. users ever added (not the kept count, which stops at the capacity: a full
        // list would move it on every new user). A deleted item gets its row, not an index entry.
        bool reindex = BitOperations.IsPow2(_catalog.Interactors.AddedTo(ordinal));
        bool live = !_catalog.IsDeleted(ordinal);
        var done = new List<ServingModels>(1);
        foreach (var v in serving)
        {
            var models = v.Models;
            if (models.AlsRows is not { } rows || !rows.NeedsFoldIn(ordinal) || users.Length < v.Config.ItemFoldInUsers || done.Contains(models))
                continue;
            done.Add(models);
            if (await ItemFoldIn.FoldInAsync(models, ordinal, users, reindex, live, _store, CancellationToken.None).ConfigureAwait(false))
                Interlocked.Increment(ref Stats._itemFoldIns);
        }
    }

    private static bool IsSurfaceCode(List<PipelineVersion> versions, float value)
    {
        foreach (var version in versions)
        {
            foreach (var surface in version.Config.Surfaces)
            {
                if (surface.Code == value)
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// One user's fold-ins run one at a time (striped by user id, so other users do not wait). Two event batches of one
    /// user folding in at once could otherwise each read the history, and the one that read less could write last,
    /// leaving a stored vector that misses the other batch's events. In turn, the last to write read a history holding both.
    /// </summary>
    private readonly SemaphoreSlim[] _foldInGates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>The user's CF vector from their stored history (interactions other than dislikes, each item once), written back to the store.</summary>
    private async ValueTask FoldInUserAsync(long userId, ServingModels models, CancellationToken cancellationToken)
    {
        var gate = _foldInGates[(int)((ulong)userId % (ulong)_foldInGates.Length)];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FoldInUserLockedAsync(userId, models, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async ValueTask FoldInUserLockedAsync(long userId, ServingModels models, CancellationToken cancellationToken)
    {
        var als = models.Als!;
        var rows = models.AlsRows!;
        int k = als.Factors;
        var history = await _store.GetRecentHistoryAsync(userId, StoredHistoryLength, cancellationToken).ConfigureAwait(false);
        var distinct = t_distinct ??= new OrdinalMap();
        distinct.Reset(history.Length);
        float[] gathered = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, history.Length * k));
        try
        {
            int n = 0;
            foreach (var e in history)
            {
                if (e.Type is EventType.Impression or EventType.Dislike || !_catalog.Items.TryGetOrdinal(e.ItemId, out int item) || !distinct.Add(item))
                    continue;
                // Trained items (an all-zero row too: it adds nothing to the solve, but the user gets a vector, as before
                // items were folded in) and items folded in since; not an item this model has no row for.
                ReadOnlySpan<float> row = rows.StoredRow(item);
                if (!row.IsEmpty)
                    row.CopyTo(gathered.AsSpan(n++ * k, k));
            }
            if (n == 0)
                return;
            var vector = new float[CfVectorTags.StoredLength(k, models.CfVectorTag)];
            als.FoldInFromRows(gathered, n, vector.AsSpan(0, k), FoldInScratch.For(ref t_foldIn, k));
            CfVectorTags.Stamp(vector, k, models.CfVectorTag);
            await _store.UpsertCfVectorAsync(userId, vector, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(gathered);
        }
        Interlocked.Increment(ref Stats._foldIns);
    }
}
