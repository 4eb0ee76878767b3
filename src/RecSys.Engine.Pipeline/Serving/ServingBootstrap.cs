using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Features;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// Serving state from a training set and the models trained on it, in one id space:
/// <code>
///   items      CatalogIdMap from the training item ids (ordinal i = model ordinal i); categories and segments numbered
///   store      items (metadata), users (profile with the segment of their demographics), histories (the training
///              events, oldest first, with the user's segment: history, counters)
///   catalog    item records and content vectors in memory
///   indexes    ALS item factors (inner product), content vectors and two-tower item vectors (cosine), ids = ordinals
/// </code>
/// String ids become int64 keys by <see cref="CatalogIdMap.KeyOf"/> ("42" is 42), which is what the store is keyed by.
/// </summary>
public static class ServingBootstrap
{
    public static async Task<(LiveCatalog Catalog, ServingModels Models)> BuildAsync(TrainingData data, IFeatureStore store,
        ImplicitAls? als = null, ContentEncoder? content = null, PopularityModel? popularity = null, PopularityModel? trending = null,
        BootstrapOptions? options = null, TwoTowerModel? twoTower = null, ITowerEncoder? userTower = null, CancellationToken cancellationToken = default,
        ItemKnn? sequence = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new BootstrapOptions();
        if (content is not null && content.Vocabulary is null)
            throw new ArgumentException("the content model has no vocabulary (restored from an old directory?): items added later could not be encoded", nameof(content));
        var catalog = NewCatalog(data, popularity, trending, content?.Dimension ?? 0);
        await SeedStoreAsync(data, store, catalog, options, cancellationToken).ConfigureAwait(false);
        if (content is not null)
            catalog.Content!.SetRows(content.ItemVectors);
        var users = CatalogIdMap.FromIdMap(data.Events.Users);
        var cfIndex = als is null ? null : BuildIndex(options.CfIndex, options.Build, als.Factors, DistanceMetric.InnerProduct, als.ItemFactors);
        var contentIndex = content is null ? null : BuildIndex(options.ContentIndex, options.Build, content.Dimension, DistanceMetric.Cosine, content.ItemVectors);
        var twoTowerIndex = twoTower is null ? null : BuildIndex(options.TwoTowerIndex, options.Build, twoTower.Dimension, DistanceMetric.Cosine, twoTower.ItemVectors);
        var models = new ServingModels
        {
            Als = als,
            AlsUsers = als is null ? null : users,
            CfIndex = cfIndex,
            Content = content?.Vocabulary,
            ContentIndex = contentIndex,
            Popularity = popularity,
            Trending = trending,
            Sequence = sequence,
            TwoTower = twoTower,
            TwoTowerIndex = twoTowerIndex,
            UserTower = userTower,
            Version = options.Version,
            TrainedUntilMs = data.Events.Timestamps.Length == 0 ? 0 : ServingModels.TrainedUntilFromSeconds(data.Events.Timestamps.Max()),
        };
        return (catalog, models);
    }

    /// <summary>
    /// The serving catalog of a training set, in its id space: items in the data's order (ordinal i = model ordinal i),
    /// categories as the data lists them, segments: the popularity models' keys, then those of the users'
    /// demographics in user order (what the users' stored profiles are numbered by). Deterministic: the registry
    /// saves the same tables the store is seeded with.
    /// </summary>
    public static LiveCatalog NewCatalog(TrainingData data, PopularityModel? popularity, PopularityModel? trending, int contentDimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        var segmentKeys = new List<string>();
        foreach (var model in new[] { popularity, trending })
        {
            if (model?.Options.BySegment == true)
                segmentKeys.AddRange(model.SegmentKeys);
        }
        var catalog = new LiveCatalog(CatalogIdMap.FromIdMap(data.Events.Items), KeyTable.FromKeys(data.Catalog?.DistinctCategories() ?? []),
            KeyTable.FromKeys(segmentKeys.Distinct(StringComparer.Ordinal)), contentDimension);
        var demographics = data.Demographics;
        for (int u = 0; demographics is not null && u < Math.Min(demographics.Count, data.Events.Users.Count); u++)
            ColdStart.UserProfiles.SegmentOf(UserAttributesOf(demographics, u), catalog);
        return catalog;
    }

    /// <summary>
    /// Writes a training set into the store in <paramref name="catalog"/>'s numbering (<see cref="NewCatalog"/>): items
    /// (metadata, and the catalog's records of them), users (profiles with the segment of their demographics) and,
    /// with <see cref="BootstrapOptions.LoadHistories"/>, the training events as histories (oldest first).
    /// </summary>
    public static async Task SeedStoreAsync(TrainingData data, IFeatureStore store, LiveCatalog catalog, BootstrapOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(catalog);
        options ??= new BootstrapOptions();
        await LoadItemsAsync(data, store, catalog, options, cancellationToken).ConfigureAwait(false);
        var users = CatalogIdMap.FromIdMap(data.Events.Users);
        var segmentOfUser = await LoadUsersAsync(data, store, catalog, users, cancellationToken).ConfigureAwait(false);
        if (options.LoadHistories)
            await LoadHistoriesAsync(data, store, users, catalog.Items, segmentOfUser, options.EventBatch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An index from a factory string holding <paramref name="rows"/> (row-major, ids = ordinals; all-zero rows left
    /// out), laid out for search (<see cref="IndexLayout.ForSearch"/>).
    /// </summary>
    public static IVectorIndex BuildIndex(string spec, IndexBuildSettings build, int dimension, DistanceMetric metric, ReadOnlySpan<float> rows)
    {
        var index = NewIndex(spec, build, dimension, metric, rows);
        try
        {
            ItemVectorRows.AddTo(index, rows, dimension);
        }
        catch
        {
            index.Dispose();
            throw;
        }
        return IndexLayout.ForSearch(index);
    }

    /// <summary>An empty index from a factory string (an IVF-PQ one trained on <paramref name="rows"/>, ready for its vectors).</summary>
    public static IVectorIndex NewIndex(string spec, IndexBuildSettings build, int dimension, DistanceMetric metric, ReadOnlySpan<float> rows)
    {
        var index = IndexFactory.Create(IndexSpec.Parse(spec), dimension, metric, build);
        if (index is IvfPqIndex ivf)
            ivf.Train(rows);
        return index;
    }

    private static async Task LoadItemsAsync(TrainingData data, IFeatureStore store, LiveCatalog catalog, BootstrapOptions options, CancellationToken ct)
    {
        var records = new KeyValuePair<long, ItemMetadata>[catalog.Items.Count];
        for (int i = 0; i < records.Length; i++)
        {
            var attributes = new ItemAttributes
            {
                Title = data.Catalog?.Title(i) ?? "",
                Categories = data.Catalog?.Categories(i) ?? [],
                Tags = data.Catalog?.Tags(i) ?? [],
                PublishedAtMs = options.PublishedAtMs?.Invoke(i) ?? 0,
            };
            var metadata = catalog.ToMetadata(attributes);
            catalog.SetItem(i, metadata, isNew: false);
            records[i] = new(catalog.Items.ExternalId(i), metadata);
        }
        await store.BulkUpsertItemsAsync(records, cancellationToken: ct).ConfigureAwait(false);
    }

    private static async Task<int[]> LoadUsersAsync(TrainingData data, IFeatureStore store, LiveCatalog catalog, CatalogIdMap users, CancellationToken ct)
    {
        var segmentOfUser = new int[users.Count];
        var profiles = new List<KeyValuePair<long, UserProfile>>(users.Count);
        var demographics = data.Demographics;
        for (int u = 0; u < users.Count; u++)
        {
            segmentOfUser[u] = -1;
            if (demographics is null || u >= demographics.Count)
                continue;
            var profile = ColdStart.UserProfiles.ToProfile(UserAttributesOf(demographics, u), catalog);
            segmentOfUser[u] = profile.Segment;
            profiles.Add(new(users.ExternalId(u), profile));
        }
        if (profiles.Count > 0)
            await store.BulkUpsertUsersAsync(profiles, cancellationToken: ct).ConfigureAwait(false);
        return segmentOfUser;
    }

    private static async Task LoadHistoriesAsync(TrainingData data, IFeatureStore store, CatalogIdMap users, CatalogIdMap items, int[] segmentOfUser, int batch, CancellationToken ct)
    {
        var events = data.Events;
        // Oldest first, so the store's newest-first history ends with the latest events.
        var order = new int[events.Count];
        for (int e = 0; e < order.Length; e++)
            order[e] = e;
        var times = (long[])events.Timestamps.Clone();
        Array.Sort(times, order);
        var chunk = new UserEvent[Math.Min(batch, Math.Max(order.Length, 1))];
        int n = 0;
        foreach (int e in order)
        {
            int u = events.UserOrdinals[e];
            chunk[n++] = new UserEvent(users.ExternalId(u), items.ExternalId(events.ItemOrdinals[e]), EventType.Rating, events.Values[e],
                events.Timestamps[e] * 1000, segmentOfUser[u]);
            if (n == chunk.Length)
            {
                await store.AppendEventsAsync(chunk, ct).ConfigureAwait(false);
                n = 0;
            }
        }
        if (n > 0)
            await store.AppendEventsAsync(chunk.AsMemory(0, n), ct).ConfigureAwait(false);
    }

    private static UserAttributes UserAttributesOf(UserDemographics demographics, int user) =>
        new() { Age = demographics.Age(user), Gender = demographics.Gender(user), Occupation = demographics.Occupation(user) };
}
