using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Features;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Models.Retrieval;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// Serving state from a training set and the models trained on it, in one id space:
/// <code>
///   items      CatalogIdMap from the training item ids (ordinal i = model ordinal i); categories and segments numbered
///   store      items (metadata), users (profile with the segment of their demographics), histories (the training
///              events, oldest first, with the user's segment: history, counters)
///   catalog    item records and content vectors in memory
///   indexes    ALS item factors (inner product) and content vectors (cosine), ids = ordinals
/// </code>
/// String ids become int64 keys by <see cref="CatalogIdMap.KeyOf"/> ("42" is 42), which is what the store is keyed by.
/// </summary>
public static class ServingBootstrap
{
    public static async Task<(LiveCatalog Catalog, ServingModels Models)> BuildAsync(TrainingData data, IFeatureStore store,
        ImplicitAls? als = null, ContentEncoder? content = null, PopularityModel? popularity = null, PopularityModel? trending = null,
        BootstrapOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new BootstrapOptions();
        if (content is not null && content.Vocabulary is null)
            throw new ArgumentException("the content model has no vocabulary (restored from an old directory?): items added later could not be encoded", nameof(content));
        var items = CatalogIdMap.FromIdMap(data.Events.Items);
        var segmentKeys = new List<string>();
        foreach (var model in new[] { popularity, trending })
        {
            if (model?.Options.BySegment == true)
                segmentKeys.AddRange(model.SegmentKeys);
        }
        var segments = KeyTable.FromKeys(segmentKeys.Distinct(StringComparer.Ordinal));
        var categories = KeyTable.FromKeys(data.Catalog?.DistinctCategories() ?? []);
        var catalog = new LiveCatalog(items, categories, segments, content?.Dimension ?? 0);

        await LoadItemsAsync(data, store, catalog, options, cancellationToken).ConfigureAwait(false);
        if (content is not null)
            catalog.Content!.SetRows(content.ItemVectors);
        var users = CatalogIdMap.FromIdMap(data.Events.Users);
        var segmentOfUser = await LoadUsersAsync(data, store, catalog, users, cancellationToken).ConfigureAwait(false);
        if (options.LoadHistories)
            await LoadHistoriesAsync(data, store, users, items, segmentOfUser, options.EventBatch, cancellationToken).ConfigureAwait(false);

        IVectorIndex? cfIndex = null, contentIndex = null;
        if (als is not null)
        {
            cfIndex = NewIndex(options.CfIndex, options.Build, als.Factors, DistanceMetric.InnerProduct, als.ItemFactors);
            ItemVectorRows.AddTo(cfIndex, als.ItemFactors, als.Factors);
        }
        if (content is not null)
        {
            contentIndex = NewIndex(options.ContentIndex, options.Build, content.Dimension, DistanceMetric.Cosine, content.ItemVectors);
            ItemVectorRows.AddTo(contentIndex, content.ItemVectors, content.Dimension);
        }
        var models = new ServingModels
        {
            Als = als,
            AlsUsers = als is null ? null : users,
            CfIndex = cfIndex,
            Content = content?.Vocabulary,
            ContentIndex = contentIndex,
            Popularity = popularity,
            Trending = trending,
            Version = options.Version,
        };
        return (catalog, models);
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
            var attributes = new UserAttributes { Age = demographics.Age(u), Gender = demographics.Gender(u), Occupation = demographics.Occupation(u) };
            var profile = ColdStart.UserProfiles.ToProfile(attributes, catalog);
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
}
