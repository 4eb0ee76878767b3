using Microsoft.Extensions.Logging;
using RecSys.Engine.Core.Threading;
using RecSys.Engine.Features;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// Everything a server serves, opened and saved in one call each; the server, <c>recsys serve</c> and
/// <c>recsys demo</c> use exactly this.
/// <code>
///   OpenAsync(registry dir, store dir)   registry ACTIVE -> version loaded (hashes checked, indexes mapped, ranker
///                                        through the hook) -> catalog (the saved snapshot, else the version's; item
///                                        records read back from the store) -> attached -> RecommendationPipeline
///   CreateAsync(..., training data)      first start: train a version, seed the store, activate it, then open
///   ActivateAsync(id) / RollbackAsync()  load (low-priority threads) + attach (off the request path) -> ACTIVE replaced -> pipeline swapped;
///                                        the old version's files are released after its last request
///   SaveAsync()                          the catalog snapshot (ids, key tables, live content rows, impression counts,
///                                        the users of items added after training)
///                                        and a store checkpoint; the active version is the registry's ACTIVE already
///   item / user writes                   the store, then the catalog journal (numbering, content rows: fsynced before
///                                        the call returns), then the live catalog; a restart replays the journal over
///                                        the snapshot, and a snapshot save (or a swap) starts a new journal file
/// </code>
/// Activation, rollback, experiment versions and saving are serialised with item updates, so none of them slips
/// between. Also the <see cref="IVariantVersionSource"/> of the pipeline's experiments (variants pinned to registry
/// versions or rankers).
/// </summary>
public sealed class ServingState : IAsyncDisposable, IVariantVersionSource
{
    private static readonly Action<ILogger, string, string, Exception?> s_logSwapSaveFailed =
        LoggerMessage.Define<string, string>(LogLevel.Warning, new EventId(1310, "SwapSnapshotFailed"),
            "version {Version} serves, but the catalog snapshot after the swap was not saved ({Reason}); the journal holds the changes, the next save tries again");

    private static readonly Action<ILogger, string, Exception?> s_logRollbackTargetUnread =
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(1312, "RollbackTargetUnread"),
            "catalog save: the version a rollback would go to could not be read ({Reason}); every item's users are kept until it can");

    private static readonly Action<ILogger, string, Exception?> s_logTailDropped =
        // Warning, not Information: a tail that fails its checksum is almost always a write a crash cut short (its call
        // never returned), but a record damaged on disk after it was acknowledged reads the same, and that one is a loss.
        LoggerMessage.Define<string>(LogLevel.Warning, new EventId(1311, "JournalTailDropped"),
            "catalog journal: dropped the last record, cut short or damaged ({Dropped}); a crash mid-write leaves this, and its call had not returned");

    private readonly ServingStateOptions _options;
    private readonly bool _ownsStore;
    private readonly string _catalogDirectory;
    private readonly CatalogJournal _journal;

    /// <summary>
    /// Snapshot saves one at a time (the timer's, a swap's, SaveAsync's): each writes its files outside the catalog
    /// writes, after rotating the journal under them. Taken before the catalog writes, never inside them.
    /// </summary>
    private readonly SemaphoreSlim _saves = new(1, 1);

    /// <summary>The journal's change count the current snapshot holds (-1: it lacks some, or there is none); guarded by _saves.</summary>
    private long _savedChanges;

    /// <summary>The impression counts the current snapshot holds (not journaled: compared instead); guarded by _saves.</summary>
    private int[] _savedImpressions;

    /// <summary>
    /// The item interactors' change count the current snapshot holds (additions are journaled, but a save's pruning is
    /// not, so the count is compared too); guarded by _saves.
    /// </summary>
    private long _savedInteractorChanges;

    private int _disposed;

    private ServingState(ModelRegistry registry, IFeatureStore store, bool ownsStore, LiveCatalog catalog, RecommendationPipeline pipeline, ServingStateOptions options, string catalogDirectory,
        CatalogJournal journal, long savedChanges)
    {
        Registry = registry;
        Store = store;
        _ownsStore = ownsStore;
        Catalog = catalog;
        Pipeline = pipeline;
        _options = options;
        _catalogDirectory = catalogDirectory;
        _journal = journal;
        _savedChanges = savedChanges;
        _savedImpressions = catalog.CopyImpressions();
        _savedInteractorChanges = catalog.Interactors.Changes;
    }

    public ModelRegistry Registry { get; }

    public IFeatureStore Store { get; }

    public LiveCatalog Catalog { get; }

    public RecommendationPipeline Pipeline { get; }

    /// <summary>The catalog journal (what it replayed on open, where it appends).</summary>
    internal CatalogJournal Journal => _journal;

    /// <summary>The registry version serving now (outside experiments).</summary>
    public string ActiveVersionId => Pipeline.Version.Models.Version;

    /// <summary>Opens the registry's active version over a FASTER store in <paramref name="storeDirectory"/> (opened here, closed on dispose).</summary>
    public static async Task<ServingState> OpenAsync(string registryDirectory, string storeDirectory, ServingStateOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ServingStateOptions();
        var store = await OpenStoreAsync(storeDirectory, options, cancellationToken).ConfigureAwait(false);
        return await OpenAsync(ModelRegistry.Open(registryDirectory), store, ownsStore: true, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the registry's active version over <paramref name="store"/> (the caller's: Garnet / Redis, or a FASTER store it opened).</summary>
    public static Task<ServingState> OpenAsync(string registryDirectory, IFeatureStore store, ServingStateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return OpenAsync(ModelRegistry.Open(registryDirectory), store, ownsStore: false, options ?? new ServingStateOptions(), cancellationToken);
    }

    /// <summary>
    /// The first start from a training set: a version of <paramref name="models"/> trained on it (null: trained here,
    /// <see cref="TrainedModels.Train"/> with the build's settings), the data written into a new store in
    /// <paramref name="storeDirectory"/> (items, users, histories), the version activated and opened. A registry that
    /// has an active version already is refused: open it instead.
    /// </summary>
    public static async Task<ServingState> CreateAsync(string registryDirectory, string storeDirectory, TrainingData data, TrainedModels? models = null,
        VersionBuildOptions? build = null, ServingStateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ServingStateOptions();
        var registry = ModelRegistry.Open(registryDirectory);
        if (registry.ActiveId is { } active)
            throw new InvalidOperationException($"registry {registry.Directory} serves version '{active}' already; open it (ServingState.OpenAsync) instead of creating");
        var store = await OpenStoreAsync(storeDirectory, options, cancellationToken).ConfigureAwait(false);
        try
        {
            build ??= new VersionBuildOptions();
            models ??= TrainedModels.Train(data, build.Settings, cancellationToken);
            var version = VersionBuilder.Write(registry, data, models, build, cancellationToken);
            // The same numbering the version saved (NewCatalog is deterministic), so the store's ints mean what its tables say.
            var seedCatalog = ServingBootstrap.NewCatalog(data, models.Popularity, models.Trending, 0);
            await ServingBootstrap.SeedStoreAsync(data, store, seedCatalog, options.Seed, cancellationToken).ConfigureAwait(false);
            registry.SetActive(version.Id);
            return await OpenAsync(registry, store, ownsStore: true, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<FasterFeatureStore> OpenStoreAsync(string storeDirectory, ServingStateOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeDirectory);
        var storeOptions = options.Store is null ? new FasterFeatureStoreOptions { DataDirectory = storeDirectory } : options.Store with { DataDirectory = storeDirectory };
        return await FasterFeatureStore.OpenAsync(storeOptions, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ServingState> OpenAsync(ModelRegistry registry, IFeatureStore store, bool ownsStore, ServingStateOptions options, CancellationToken cancellationToken)
    {
        CatalogJournal? journal = null;
        try
        {
            string active = registry.ActiveId
                ?? throw new InvalidOperationException($"registry {registry.Directory} has no active version: build one (VersionBuilder) and activate it, or use ServingState.CreateAsync");
            var version = registry.Get(active);
            string catalogDirectory = options.CatalogDirectory ?? Path.Combine(registry.Directory, "serving");
            using var loaded = VersionLoader.Load(version, options.Load, cancellationToken);
            using var snapshot = CatalogSnapshot.TryRead(catalogDirectory);
            (var catalog, journal) = await RestoreCatalogAsync(registry, loaded, snapshot, store, catalogDirectory, cancellationToken).ConfigureAwait(false);
            // The snapshot is current when nothing was replayed over it; a save is owed otherwise (and when there is none).
            long savedChanges = snapshot is not null && journal.ReplayedRecords == 0 ? journal.Changes : -1;
            if (journal.DroppedTail is { } dropped && options.Pipeline.Logger is { } logger)
                s_logTailDropped(logger, dropped, null);
            // The restored rows are this version's (its trained vectors, the live rows over them): it reads them.
            var pipelineVersion = await loaded.AttachAsync(catalog, store, ConfigOf(options, loaded.Models), [(loaded.Content?.Vocabulary, catalog.Content)], cancellationToken)
                .ConfigureAwait(false);
            // What attaching numbered (the version's ids beyond the snapshot, its segment keys, its rules' categories)
            // is journaled before anything is served that could use it.
            journal.AppendNumbering();
            var pipeline = new RecommendationPipeline(store, catalog, pipelineVersion, options.Pipeline) { Journal = journal };
            return new ServingState(registry, store, ownsStore, catalog, pipeline, options, catalogDirectory, journal, savedChanges);
        }
        catch
        {
            journal?.Dispose();
            if (ownsStore)
                await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The catalog as it was served: the snapshot's numbering (else the version's) with the journal's replayed over it,
    /// item records from the store, the snapshot's impression counts (under any version: they count what users were
    /// shown, not what a model made), the snapshot's item interactors and the journal's after them, the version's
    /// content rows, then the snapshot's live rows and the journal's over them (rows of the version's own items only
    /// when made under this very version: otherwise they were diffs against other vectors). Returns the journal too,
    /// open for the appends from now on.
    /// </summary>
    private static async Task<(LiveCatalog Catalog, CatalogJournal Journal)> RestoreCatalogAsync(ModelRegistry registry, LoadedVersion loaded, CatalogSnapshot? snapshot, IFeatureStore store,
        string catalogDirectory, CancellationToken cancellationToken)
    {
        var versionCatalog = loaded.Source.PathOf(VersionPaths.Catalog);
        var items = snapshot?.Items ?? CatalogIdMap.Load(versionCatalog);
        var categories = snapshot?.Categories ?? KeyTable.Load(versionCatalog, loaded.Source.Manifest.Catalog["categories"]);
        var segments = snapshot?.Segments ?? KeyTable.Load(versionCatalog, loaded.Source.Manifest.Catalog["segments"]);
        var journal = CatalogJournal.Open(catalogDirectory, snapshot?.JournalFrom ?? 0, items, categories, segments);
        try
        {
            var vocabularies = new Dictionary<string, bool>(StringComparer.Ordinal);
            bool SameVocabulary(string versionId)
            {
                if (versionId == loaded.Id)
                    return true;
                if (!vocabularies.TryGetValue(versionId, out bool same))
                    vocabularies[versionId] = same = SameVocabularyAs(registry, versionId, loaded);
                return same;
            }
            return (await RestoreCatalogAsync(loaded, snapshot, store, items, categories, segments, journal.TakeReplayedContent(), journal.TakeReplayedInteractors(),
                SameVocabulary, cancellationToken)
                .ConfigureAwait(false), journal);
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }

    private static async Task<LiveCatalog> RestoreCatalogAsync(LoadedVersion loaded, CatalogSnapshot? snapshot, IFeatureStore store, CatalogIdMap items, KeyTable categories, KeyTable segments,
        Dictionary<int, JournaledContentRow> journaledRows, List<(int Ordinal, long User)> journaledInteractors, Func<string, bool> sameVocabulary,
        CancellationToken cancellationToken)
    {
        int dimension = loaded.Content?.Dimension ?? 0;
        var catalog = new LiveCatalog(items, categories, segments, dimension);

        const int batch = 10_000;
        var ids = new long[Math.Min(batch, Math.Max(items.Count, 1))];
        var records = new ItemMetadata?[ids.Length];
        for (int start = 0; start < items.Count; start += batch)
        {
            int n = Math.Min(batch, items.Count - start);
            for (int i = 0; i < n; i++)
                ids[i] = items.ExternalId(start + i);
            await store.GetItemsAsync(ids.AsMemory(0, n), records.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < n; i++)
            {
                // An ordinal past the version's items with no record was numbered for an upsert whose store write failed
                // (the numbering only grows, and a later journal record carries it): the item never existed, so it comes
                // back deleted, not as a live item with no metadata that the new-items source would serve. A retry of
                // its upsert re-adds it.
                bool added = start + i >= loaded.Items.Count;
                catalog.SetItem(start + i, records[i] ?? new ItemMetadata { Deleted = added }, isNew: added);
            }
        }
        if (snapshot is not null)
        {
            catalog.RestoreImpressions(snapshot.Impressions);
            catalog.Interactors.Restore(snapshot.Interactors);
        }
        // Users added since the snapshot, in the order they came (a full list pushes out its oldest, as it did live).
        foreach (var (ordinal, user) in journaledInteractors)
            catalog.Interactors.Add(ordinal, user);

        if (loaded.Content is { } content)
        {
            catalog.Content!.SetRows(content.ItemVectors);
            // Live items (past the version's trained vectors) whose last row another vocabulary made: a crash between a
            // swap to a version of another vocabulary and its save (or a swap whose save failed) leaves the old
            // version's snapshot and journal. The attach encoded them from the store in this version's vocabulary; so
            // does the restart, rather than serve rows of another space than its index and queries.
            var encode = new SortedSet<int>();
            bool otherSnapshot = snapshot is not null && !sameVocabulary(snapshot.Version);
            if (otherSnapshot)
            {
                for (int o = content.ItemCount; o < catalog.Length; o++)
                    encode.Add(o);
            }
            if (snapshot?.ContentRows is { } rows && snapshot.ContentDimension == dimension)
            {
                bool sameVersion = snapshot.Version == loaded.Id;
                for (int r = 0; r < snapshot.ContentOrdinals.Length; r++)
                {
                    int o = snapshot.ContentOrdinals[r];
                    if (sameVersion || (o >= content.ItemCount && !otherSnapshot))
                        catalog.Content.Set(o, rows.GetRow(r));
                }
            }
            // Newer than the snapshot's, and under the same rule. A swap saves a snapshot, so only a crash between a
            // swap and its save leaves rows made under another version here.
            foreach (var (o, row) in journaledRows)
            {
                if (row.Row.Length != 0 && row.Row.Length != dimension)
                    continue;
                if (row.Version == loaded.Id || (o >= content.ItemCount && sameVocabulary(row.Version)))
                {
                    catalog.Content.Set(o, row.Row);
                    encode.Remove(o);
                }
                else if (o >= content.ItemCount)
                {
                    encode.Add(o);
                }
            }
            if (encode.Count > 0 && content.Vocabulary is { } vocabulary)
                await EncodeFromStoreAsync(catalog, store, vocabulary, [.. encode], cancellationToken).ConfigureAwait(false);
        }
        return catalog;
    }

    /// <summary>
    /// The rows of <paramref name="ordinals"/> as <paramref name="vocabulary"/> encodes what the store keeps (title,
    /// categories, tags), as an attach encodes live items for a version of another vocabulary; a deleted
    /// item's row is emptied.
    /// </summary>
    private static async Task EncodeFromStoreAsync(LiveCatalog catalog, IFeatureStore store, Models.Content.ContentVocabulary vocabulary, int[] ordinals,
        CancellationToken cancellationToken)
    {
        var ids = new long[ordinals.Length];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = catalog.Items.ExternalId(ordinals[i]);
        var records = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, records, cancellationToken).ConfigureAwait(false);
        var vector = new float[vocabulary.Dimension];
        for (int i = 0; i < ordinals.Length; i++)
        {
            if (catalog.IsDeleted(ordinals[i]) || records[i] is not { } record)
            {
                catalog.Content!.Set(ordinals[i], []);
                continue;
            }
            vocabulary.Encode(record.Title, catalog.CategoryNames(record.Categories), record.Tags, vector);
            catalog.Content!.Set(ordinals[i], vector);
        }
    }

    /// <summary>
    /// Whether registry version <paramref name="versionId"/> (one that made journaled or snapshot rows) has the content
    /// vocabulary of <paramref name="loaded"/>; a version the registry no longer has, or that cannot be read, counts as another.
    /// </summary>
    private static bool SameVocabularyAs(ModelRegistry registry, string versionId, LoadedVersion loaded)
    {
        if (loaded.Content?.Vocabulary is not { } vocabulary || !registry.TryGet(versionId, out var version)
            || !version.Manifest.Models.TryGetValue("content", out string? directory))
            return false;
        try
        {
            return LoadedVersion.SameVocabulary(Models.Persistence.ModelStore.LoadContentVocabulary(version.PathOf(directory)), vocabulary);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static PipelineConfig ConfigOf(ServingStateOptions options, ServingModels models) =>
        options.Config?.Invoke(models) ?? PipelineDefaults.Config(models);

    /// <summary>
    /// Serves registry version <paramref name="versionId"/> from now on: loaded and attached while the current one
    /// serves, then ACTIVE is replaced and the pipeline swapped at once. Requests in flight finish on the old
    /// version, whose files are released after the last of them. A restart serves the new one.
    /// </summary>
    public async Task<RegistryVersion> ActivateAsync(string versionId, CancellationToken cancellationToken = default)
    {
        var target = Registry.Get(versionId);
        if (versionId == ActiveVersionId && Registry.ActiveId == versionId)
            return target;
        return await SwapAsync(target, version => Registry.SetActive(version.Id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Goes back to the version active before the current one (see <see cref="ModelRegistry.RollbackTarget"/>), as <see cref="ActivateAsync"/> swaps.</summary>
    public Task<RegistryVersion> RollbackAsync(CancellationToken cancellationToken = default) =>
        SwapAsync(Registry.RollbackTarget(), Registry.RollBackTo, cancellationToken);

    /// <summary>
    /// Attaches, commits the registry pointer and swaps, then saves the catalog snapshot under the new version: the
    /// attach may have renumbered and rewritten content rows, and the journal after a swap then only holds changes made
    /// under the snapshot's version (a rollback to a version seen before cannot replay rows its own swap overwrote).
    /// The snapshot's files are written after catalog writes resume; a failed save is logged, not thrown: the swap
    /// has happened, and the journal still holds every change.
    /// </summary>
    private async Task<RegistryVersion> SwapAsync(RegistryVersion target, Action<RegistryVersion> commitPointer, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var loaded = await LoadWhileServingAsync(target, cancellationToken).ConfigureAwait(false);
        try
        {
            await _saves.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var capture = await Pipeline.UnderCatalogWritesAsync(async () =>
                {
                    var version = await loaded.AttachAsync(Catalog, Store, ConfigOf(_options, loaded.Models), Pipeline.ServingContentRows(), cancellationToken).ConfigureAwait(false);
                    try
                    {
                        // Ids, segment keys and rule categories the attach numbered, durably before the pointer names the
                        // version (as a variant's attach does): a swap whose numbering cannot be journaled does not happen.
                        _journal.AppendNumbering();
                        commitPointer(target);
                    }
                    catch
                    {
                        version.Retire();
                        throw;
                    }
                    Pipeline.Activate(version).Retire();
                    try
                    {
                        _journal.NoteChange();
                        return CaptureIfChanged(RollbackAlsItems()); // the pointer just moved: read it here
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        LogSwapSaveFailed(target, e);
                        return null;
                    }
                }, cancellationToken).ConfigureAwait(false);
                if (capture is not null)
                {
                    try
                    {
                        WriteSnapshot(capture);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        LogSwapSaveFailed(target, e);
                    }
                }
            }
            finally
            {
                _saves.Release();
            }
        }
        finally
        {
            loaded.Dispose(); // a no-op once attached: the pipeline version owns the files then
        }
        return target;
    }

    private void LogSwapSaveFailed(RegistryVersion target, Exception e)
    {
        if (_options.Pipeline.Logger is { } logger)
            s_logSwapSaveFailed(logger, target.Id, $"{e.GetType().Name}: {e.Message}", e);
    }

    /// <summary>
    /// Loads a version while another one serves: on low-priority threads of its own by default
    /// (<see cref="ServingStateOptions.LowPriorityLoads"/>), so the load takes the CPU requests leave idle rather than
    /// half of it. Its ranker and user tower load on a thread at the caller's priority (their ONNX sessions start
    /// threads, which would inherit nice 19). Attaching stays on the caller's side: it holds the catalog-writes lock.
    /// </summary>
    private Task<LoadedVersion> LoadWhileServingAsync(RegistryVersion version, CancellationToken cancellationToken)
    {
        var options = _options.Load;
        if (!_options.LowPriorityLoads)
            return Task.FromResult(VersionLoader.Load(version, options, cancellationToken));
        var log = _options.LoadLog;
        return LowPriorityTaskScheduler.RunAsync(callerPriority => VersionLoader.Load(version, options with
            {
                RankerLoader = options.RankerLoader is { } rankers ? new CallerPriorityRankerLoader(rankers, callerPriority) : null,
                TowerLoader = options.TowerLoader is { } towers ? new CallerPriorityTowerLoader(towers, callerPriority) : null,
            }, cancellationToken),
            Environment.ProcessorCount, "recsys version load",
            why => log?.Invoke($"loading version '{version.Id}' at the server's own priority: {why}"), cancellationToken);
    }

    /// <summary>Saves what a restart needs beyond the registry: the catalog snapshot, then a store checkpoint (FASTER).</summary>
    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        await SaveCatalogCoreAsync(cancellationToken).ConfigureAwait(false);
        if (Store is FasterFeatureStore faster)
            await faster.CheckpointAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves the catalog snapshot alone (the numbering and content rows that grew while serving, impression counts) and
    /// empties the journal: what a server does on a timer, so a restart replays at most one interval of journal, and
    /// impression counts (not journaled) lose at most one interval to a crash. Skipped when nothing changed since the
    /// last save. Catalog writes wait only while the catalog is copied; the files are written after they resume.
    /// </summary>
    public Task SaveCatalogAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return SaveCatalogCoreAsync(cancellationToken);
    }

    private async Task SaveCatalogCoreAsync(CancellationToken cancellationToken)
    {
        await _saves.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int rollbackItems = RollbackAlsItems();
            var capture = await Pipeline.UnderCatalogWritesAsync(() => Task.FromResult(CaptureIfChanged(rollbackItems)), cancellationToken).ConfigureAwait(false);
            if (capture is not null)
                WriteSnapshot(capture);
        }
        finally
        {
            _saves.Release();
        }
    }

    /// <summary>
    /// How many items the ALS model of the version a rollback would go to (<see cref="ModelRegistry.RollbackTarget"/>) was
    /// trained on: its manifest's training summary, which the version builder writes from the data its ALS model was
    /// fitted to (an embedding import keeps its base's, and its ALS model). <see cref="int.MaxValue"/> when there is no
    /// version to roll back to, or it has no ALS model (it needs no rows); 0 when the registry cannot be read (a save
    /// then drops no list, and says why). Read with <see cref="_saves"/> held, so no swap moves the pointer meanwhile,
    /// and outside the catalog writes where it can be (it reads the pointer and the target's manifest, and checks its files).
    /// </summary>
    private int RollbackAlsItems()
    {
        try
        {
            if (Registry.History.Count == 0)
                return int.MaxValue;
            var manifest = Registry.RollbackTarget().Manifest;
            if (!manifest.Models.ContainsKey("als"))
                return int.MaxValue;
            return manifest.Training.Items > 0 ? manifest.Training.Items : manifest.Items;
        }
        catch (InvalidOperationException) when (Registry.History.All(id => !Registry.TryGet(id, out _)))
        {
            return int.MaxValue; // every version of the history is gone or damaged: nothing to roll back to either
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything else (an unreadable pointer or manifest) keeps every list rather than guess. (A filter that
            // throws is false, so the one above cannot escape.)
            if (_options.Pipeline.Logger is { } logger)
                s_logRollbackTargetUnread(logger, e.Message, e);
            return 0;
        }
    }

    /// <summary>
    /// Items whose users no version needs any more, so a save drops their lists (which would otherwise grow with every
    /// item ever added and be rewritten by every save): items every serving ALS model was trained on (a retrain activated
    /// since they were added), and which the ALS model of the version a rollback would go to was trained on too
    /// (<paramref name="rollbackItems"/>, <see cref="RollbackAlsItems"/>). Without the second rule a rollback to a version
    /// trained before them served them without a CF row until new users came; with it, the rollback's attach folds them
    /// in from their users. Bounds: one rollback step is covered (a second rollback, or activating an older version by
    /// id, finds the lists of items two retrains old dropped); while a model that knows the item serves, its list no
    /// longer grows, so a rollback folds it in from the users it had then; an item the target was trained on without
    /// events (an all-zero row) is taken as known.
    /// </summary>
    private Func<int, bool> NoLongerNeeded(int rollbackItems)
    {
        var trained = Pipeline.TrainedInEveryModel();
        return ordinal => ordinal < rollbackItems && trained(ordinal);
    }

    /// <summary>
    /// With catalog writes held off (and <see cref="_saves"/> held): null when the snapshot holds everything already,
    /// else a new journal file for the writes from now on and a copy of what the snapshot saves. The copy is pointers
    /// and flat arrays (ids, counts, row references), not the rows themselves.
    /// </summary>
    private CatalogCapture? CaptureIfChanged(int rollbackItems)
    {
        int[] impressions = Catalog.CopyImpressions();
        Catalog.Interactors.RemoveWhere(NoLongerNeeded(rollbackItems));
        long interactorChanges = Catalog.Interactors.Changes;
        if (_journal.Changes == _savedChanges && impressions.AsSpan().SequenceEqual(_savedImpressions) && interactorChanges == _savedInteractorChanges)
            return null;
        long journalFrom = _journal.Rotate();
        var (ids, names) = Catalog.Items.CopyEntries();
        return new CatalogCapture(ActiveVersionId, ids, names, Catalog.Categories.Keys(), Catalog.Segments.Keys(), Catalog.Content?.Dimension ?? 0,
            Catalog.Content?.CopyRows() ?? [], impressions, Catalog.Interactors.Copy(), interactorChanges, journalFrom, _journal.Changes);
    }

    /// <summary>Writes the captured snapshot and commits it, then deletes the journal files it holds (guarded by <see cref="_saves"/>).</summary>
    private void WriteSnapshot(CatalogCapture capture)
    {
        using (var trained = CatalogSnapshot.TrainedContentRows(Registry.Get(capture.Version)))
            CatalogSnapshot.Save(_catalogDirectory, capture, trained);
        _journal.DeleteBefore(capture.JournalFrom);
        _savedChanges = capture.Changes;
        _savedImpressions = capture.Impressions;
        _savedInteractorChanges = capture.InteractorChanges;
    }

    /// <summary>Runs <paramref name="experiments"/> on the pipeline, variants naming registry versions or rankers loaded from this registry.</summary>
    public Task SetExperimentsAsync(IReadOnlyList<ExperimentConfig> experiments, CancellationToken cancellationToken = default) =>
        Pipeline.SetExperimentsAsync(experiments, this, cancellationToken);

    async ValueTask<PipelineVersion> IVariantVersionSource.LoadVersionAsync(string versionId, CancellationToken cancellationToken)
    {
        var loaded = await LoadWhileServingAsync(Registry.Get(versionId), cancellationToken).ConfigureAwait(false);
        try
        {
            return await Pipeline.UnderCatalogWritesAsync(async () =>
            {
                var version = await loaded.AttachAsync(Catalog, Store, ConfigOf(_options, loaded.Models), Pipeline.ServingContentRows(), cancellationToken).ConfigureAwait(false);
                try
                {
                    // Ids, segment keys and rule categories the variant's version numbered, durably before it serves; the
                    // rows its attach added to the active version's table (where its vocabulary is the active's, and the
                    // active's had none) are the next snapshot's to save.
                    _journal.AppendNumbering();
                    _journal.NoteChange();
                }
                catch
                {
                    version.Retire();
                    throw;
                }
                return version;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            loaded.Dispose();
        }
    }

    ValueTask<IRanker> IVariantVersionSource.LoadRankerAsync(string versionId, CancellationToken cancellationToken)
    {
        var version = Registry.Get(versionId);
        if (version.Manifest.Ranker is not { } file)
            throw new ArgumentException($"version '{versionId}' has no ranker file", nameof(versionId));
        var loader = _options.Load.RankerLoader
            ?? throw new InvalidOperationException($"a variant names the ranker of version '{versionId}', but no IRankerLoader was given (ServingStateOptions.Load.RankerLoader)");
        if (_options.Load.VerifyHashes)
            version.Verify(cancellationToken);
        return ValueTask.FromResult(loader.Load(version.PathOf(file), version));
    }

    /// <summary>
    /// Saves (unless <see cref="ServingStateOptions.SaveOnDispose"/> is off: the journal is then left as a crash would
    /// leave it, and replayed on the next open), stops the experiments, releases the active version and closes the
    /// journal and the store it opened.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            if (_options.SaveOnDispose)
                await SaveCatalogCoreAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await Pipeline.SetExperimentsAsync([]).ConfigureAwait(false);
            Pipeline.Version.Retire();
            _journal.Dispose();
            if (_ownsStore)
                await Store.DisposeAsync().ConfigureAwait(false);
        }
    }
}
