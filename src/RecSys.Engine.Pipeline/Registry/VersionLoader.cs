using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Vectors.Storage;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Persistence;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// Opens a registry version for serving:
/// <code>
///   verify      every file's size and SHA-256 against the manifest (a damaged version is refused, naming the file)
///   catalog     catalog.ids (+ names), the categories and segments tables
///   models      ModelStore: ALS (factors, user map), content (vectors, vocabulary), popularity, trending, two-tower
///   towers      the two-tower's user tower through the ITowerLoader hook (ONNX Runtime); none -> its C# forward pass
///   indexes     each with its own Load: vectors memory-mapped, graphs and lists read (OnMapped sees each mapping)
///   embeddings  rows mapped, ids -> ordinals, their index
///   ranker      through the IRankerLoader hook (the pipeline knows no ONNX); none -> the rank-fusion fallback
/// </code>
/// The result (<see cref="LoadedVersion"/>) becomes a <see cref="PipelineVersion"/> when attached to a serving catalog.
/// </summary>
public static class VersionLoader
{
    public static LoadedVersion Load(RegistryVersion version, VersionLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        options ??= new VersionLoadOptions();
        var m = version.Manifest;
        if (m.Ranker is not null && options.RankerLoader is null && !options.IgnoreRanker)
            throw new InvalidOperationException($"version '{version.Id}' ships a ranker ({m.Ranker}), but no IRankerLoader was given "
                + "(VersionLoadOptions.RankerLoader); give one, or set IgnoreRanker to serve it with the rank-fusion fallback");
        if (options.VerifyHashes)
            version.Verify(cancellationToken);
        string catalogDir = version.PathOf(VersionPaths.Catalog);
        var items = CatalogIdMap.Load(catalogDir);
        if (items.Count != m.Items)
            throw new VersionCorruptedException(version.Id, Path.Combine(catalogDir, CatalogIdMap.IdsFileName), $"{items.Count} ids, the manifest says {m.Items}");
        var categories = version.LoadKeyTable("categories");
        var segments = version.LoadKeyTable("segments");

        var owned = new OwnedResources();
        try
        {
            var models = LoadModels(version, items, options, owned, out var content, cancellationToken);
            IRanker? ranker = null;
            if (m.Ranker is not null && !options.IgnoreRanker)
            {
                ranker = options.RankerLoader!.Load(version.PathOf(m.Ranker), version);
                if (ranker is IDisposable disposable)
                    owned.Add(disposable);
            }
            return new LoadedVersion(version, items, categories, segments, models, content, ranker, owned);
        }
        catch
        {
            owned.Dispose();
            throw;
        }
    }

    private static ServingModels LoadModels(RegistryVersion version, CatalogIdMap items, VersionLoadOptions options, OwnedResources owned,
        out ContentEncoder? content, CancellationToken cancellationToken)
    {
        var m = version.Manifest;
        Models.Als.ImplicitAls? als = null;
        CatalogIdMap? alsUsers = null;
        if (m.Models.TryGetValue("als", out string? alsDir))
        {
            var (model, users, alsItems) = ModelStore.LoadAls(version.PathOf(alsDir));
            CheckModelItems(version, alsDir, alsItems, items);
            model.PrepareFoldIn(); // here, not on the first event's request path (seconds at 1M items)
            model.PrepareItemFoldIn(); // the same for items added after training, over the users' factors
            (als, alsUsers) = (model, CatalogIdMap.FromIdMap(users));
        }
        content = null;
        if (m.Models.TryGetValue("content", out string? contentDir))
        {
            var (model, contentItems) = ModelStore.LoadContent(version.PathOf(contentDir));
            CheckModelItems(version, contentDir, contentItems, items);
            if (model.Vocabulary is null)
                throw new VersionCorruptedException(version.Id, version.PathOf(contentDir), "the content model has no vocabulary (items added while serving could not be encoded)");
            content = model;
        }
        Models.Neighbors.ItemKnn? sequence = null;
        if (m.Models.TryGetValue("sequence", out string? sequenceDir))
        {
            var (model, sequenceItems) = ModelStore.LoadItemKnn(version.PathOf(sequenceDir));
            CheckModelItems(version, sequenceDir, sequenceItems, items);
            sequence = model;
        }
        cancellationToken.ThrowIfCancellationRequested();
        TwoTowerModel? twoTower = null;
        ITowerEncoder? userTower = null;
        if (m.Models.TryGetValue("twotower", out string? twoTowerDir))
        {
            var (model, towerItems) = ModelStore.LoadTwoTower(version.PathOf(twoTowerDir));
            CheckModelItems(version, twoTowerDir, towerItems, items);
            twoTower = model;
            if (m.Towers.TryGetValue("user", out string? userFile) && options.TowerLoader is { } towers)
            {
                userTower = towers.Load(version.PathOf(userFile), version, TowerSchema.Of(model, TowerKind.User));
                if (userTower is IDisposable disposable)
                    owned.Add(disposable);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        var embeddings = new Dictionary<string, EmbeddingSet>(StringComparer.Ordinal);
        foreach (var entry in m.Embeddings)
            embeddings[entry.Name] = LoadEmbedding(version, entry, items, options, owned);
        return new ServingModels
        {
            Als = als,
            AlsUsers = alsUsers,
            CfIndex = LoadIndex(version, "cf", options, owned),
            Content = content?.Vocabulary,
            ContentIndex = LoadIndex(version, "content", options, owned),
            Popularity = m.Models.TryGetValue("popularity", out string? p) ? ModelStore.LoadPopularity(version.PathOf(p)).Model : null,
            Trending = m.Models.TryGetValue("trending", out string? t) ? ModelStore.LoadPopularity(version.PathOf(t)).Model : null,
            Sequence = sequence,
            TwoTower = twoTower,
            TwoTowerIndex = twoTower is null ? null : LoadIndex(version, "twotower", options, owned),
            UserTower = userTower,
            Version = version.Id,
            CfVectorTag = m.CfVectorTag,
            TrainedUntilMs = ServingModels.TrainedUntilFromSeconds(m.Training.LastEventAt),
            Embeddings = embeddings,
        };
    }

    private static IVectorIndex? LoadIndex(RegistryVersion version, string role, VersionLoadOptions options, OwnedResources owned) =>
        version.Manifest.Indexes.TryGetValue(role, out var entry) ? owned.Add(SavedIndex.Load(version.PathOf(entry.Path), options.HnswSearch(), options.MappedHook())) : null;

    private static EmbeddingSet LoadEmbedding(RegistryVersion version, EmbeddingEntry entry, CatalogIdMap items, VersionLoadOptions options, OwnedResources owned)
    {
        var rows = owned.Add(MappedVectorFile.Open(version.PathOf(entry.Vectors)));
        options.MappedHook()?.Invoke(rows);
        if (rows.Count != entry.Count || rows.Dimension != entry.Dimension)
            throw new VersionCorruptedException(version.Id, rows.Path, $"holds {rows.Count} x {rows.Dimension}, the manifest says {entry.Count} x {entry.Dimension}");
        long[] ids = IdFile.Read(version.PathOf(entry.Ids));
        if (ids.LongLength != entry.Count)
            throw new VersionCorruptedException(version.Id, version.PathOf(entry.Ids), $"{ids.LongLength} ids for {entry.Count} rows");
        var ordinals = new int[ids.Length];
        for (int r = 0; r < ids.Length; r++)
        {
            if (!items.TryGetOrdinal(ids[r], out ordinals[r]))
                throw new VersionCorruptedException(version.Id, version.PathOf(entry.Ids), $"row {r}: id {ids[r]} is not in the version's catalog");
        }
        var index = owned.Add(SavedIndex.Load(version.PathOf(entry.Index.Path), options.HnswSearch(), options.MappedHook()));
        return new EmbeddingSet(entry.Name, rows, ordinals, index);
    }

    /// <summary>A model's item list must be the first ids of the version's catalog (model ordinal = catalog ordinal).</summary>
    private static void CheckModelItems(RegistryVersion version, string modelDir, IdMap modelItems, CatalogIdMap items)
    {
        if (modelItems.Count > items.Count)
            throw new VersionCorruptedException(version.Id, version.PathOf(modelDir), $"{modelItems.Count} items, the version's catalog {items.Count}");
        for (int o = 0; o < modelItems.Count; o++)
        {
            if (!items.TryGetOrdinal(modelItems[o], out int ordinal) || ordinal != o)
                throw new VersionCorruptedException(version.Id, version.PathOf(modelDir), $"item '{modelItems[o]}' is model ordinal {o} but not catalog ordinal {o}");
        }
    }
}
