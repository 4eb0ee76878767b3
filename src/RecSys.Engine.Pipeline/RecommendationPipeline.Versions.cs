using RecSys.Engine.Pipeline.Experiments;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline;

public sealed partial class RecommendationPipeline
{
    /// <summary>
    /// The version (and variant) a request runs on, with a reference taken on it. A version released between the
    /// read and the reference was swapped out meanwhile: the route is read again and names its successor.
    /// </summary>
    private (PipelineVersion Version, VariantCounters? Variant) AcquireRoute(long userId, string surface)
    {
        while (true)
        {
            var route = Volatile.Read(ref _route);
            var (version, variant) = route.Route(userId, surface);
            if (version.TryAcquire())
                return (version, variant);
            if (ReferenceEquals(Volatile.Read(ref _route), route))
                throw new InvalidOperationException($"version {version.Name} was retired while it still serves; retire a version only after it was swapped out");
        }
    }

    /// <summary>
    /// Every version that serves now: the active one and those pinned by experiment variants (distinct models).
    /// Item updates reach each one's indexes; the trending refresh and event counts each one's popularity lists.
    /// </summary>
    private List<PipelineVersion> ServingVersions()
    {
        var route = Volatile.Read(ref _route);
        var versions = new List<PipelineVersion> { route.Active };
        if (route.Binding is not null)
        {
            foreach (var pinned in route.Binding.Set.PinnedVersions())
            {
                if (!versions.Exists(v => ReferenceEquals(v.Models, pinned.Models)))
                    versions.Add(pinned);
            }
        }
        return versions;
    }

    /// <summary>
    /// Whether every serving model that has ALS has a usable trained row for the item (false when none has ALS): its users
    /// (<see cref="Catalog.ItemInteractors"/>) are needed no more once such a retrain serves. Read with catalog writes held.
    /// </summary>
    internal Func<int, bool> TrainedInEveryModel()
    {
        var rows = ServingVersions().Select(v => v.Models.AlsRows).OfType<Sources.AlsItemVectors>().ToArray();
        return ordinal => rows.Length > 0 && Array.TrueForAll(rows, r => !r.NeedsFoldIn(ordinal));
    }

    /// <summary>
    /// The content tables the serving versions read, each with the vocabulary that made it: a version being attached
    /// shares the one of its vocabulary (<see cref="Registry.LoadedVersion.AttachAsync"/>). Read with catalog writes held off.
    /// </summary>
    internal List<(Models.Content.ContentVocabulary? Vocabulary, Catalog.VectorTable? Rows)> ServingContentRows() =>
        [.. ServingVersions().Select(v => (v.Models.Content, v.ContentRows))];

    /// <summary>
    /// Runs <paramref name="change"/> with item upserts and deletes held off: the registry attaches a version to the
    /// catalog (its items, the live items into its indexes) and swaps it in without an update slipping in between.
    /// </summary>
    internal async Task<T> UnderCatalogWritesAsync<T>(Func<Task<T>> change, CancellationToken cancellationToken)
    {
        await _catalogWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await change().ConfigureAwait(false);
        }
        finally
        {
            _catalogWrites.Release();
        }
    }
}
