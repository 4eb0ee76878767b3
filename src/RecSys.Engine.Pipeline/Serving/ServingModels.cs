using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// The trained models one pipeline version serves, with the vector indexes built from them. Every index uses
/// catalog ordinals as its ids (<see cref="Models.Retrieval.ItemVectorRows"/>), so a search result is an ordinal
/// with no lookup. Any part may be missing; the sources that need it then return nothing.
/// <code>
///   Als + AlsUsers + CfIndex   collaborative, item-to-item, similar-cf, fold-in on events (inner product)
///   Content + ContentIndex     content, search query, similar-content, new items (cosine; vectors in the version's
///                              PipelineVersion.ContentRows, one table per vocabulary)
///   Popularity                 popular per segment (cold start)
///   Sequence                   "watched next": neighbour lists of the user's newest items (no index)
///   Trending                   decayed popularity per segment, refreshed from the store's counters
///   TwoTower + TwoTowerIndex   two-tower: user tower per request (UserTower: ONNX, else C#) x item-tower vectors (cosine)
///   Embeddings                 bulk-loaded item vectors by name, each with its index (item page: "embedding:NAME")
/// </code>
/// </summary>
public sealed class ServingModels
{
    public ImplicitAls? Als { get; init; }

    /// <summary>External user id -> the ALS model's user ordinal (users trained with it).</summary>
    public CatalogIdMap? AlsUsers { get; init; }

    /// <summary>ALS item factors; ids are catalog ordinals; inner product.</summary>
    public IVectorIndex? CfIndex { get; init; }

    /// <summary>
    /// What <see cref="CfIndex"/> holds per item: the trained ALS rows, then the rows folded in for items added after
    /// training; null without an ALS model. Whoever writes a folded row into the index writes it here too.
    /// </summary>
    public Sources.AlsItemVectors? AlsRows => Als is null ? null : Volatile.Read(ref _alsRows) ?? CreateAlsRows();

    private Sources.AlsItemVectors? _alsRows;

    // Out of line, so reading the rows (every request's ranker features) allocates no delegate.
    private Sources.AlsItemVectors CreateAlsRows()
    {
        var rows = new Sources.AlsItemVectors(Als!);
        return Interlocked.CompareExchange(ref _alsRows, rows, null) ?? rows;
    }

    /// <summary>Encodes items added after training and search queries.</summary>
    public ContentVocabulary? Content { get; init; }

    /// <summary>Content vectors; ids are catalog ordinals; cosine. Live upserts land here.</summary>
    public IVectorIndex? ContentIndex { get; init; }

    public PopularityModel? Popularity { get; init; }

    /// <summary>Sequence neighbour lists ("watched next"); item ordinals are catalog ordinals.</summary>
    public ItemKnn? Sequence { get; init; }

    public PopularityModel? Trending { get; init; }

    /// <summary>The two-tower model: its features and item tower (live-added items get their vector from it).</summary>
    public TwoTowerModel? TwoTower { get; init; }

    /// <summary>The item-tower vectors; ids are catalog ordinals; cosine. Live upserts land here.</summary>
    public IVectorIndex? TwoTowerIndex { get; init; }

    /// <summary>
    /// What <see cref="TwoTowerIndex"/> holds per item (trained vectors overlaid by those written live); null without a
    /// two-tower model. Whoever writes an item-tower vector into the index writes it here too.
    /// </summary>
    public Sources.TwoTowerItemVectors? TwoTowerRows => TwoTower is null ? null
        : LazyInitializer.EnsureInitialized(ref _twoTowerRows, () => new Sources.TwoTowerItemVectors(TwoTower));

    private Sources.TwoTowerItemVectors? _twoTowerRows;

    /// <summary>Runs the user tower per request (the ONNX export on ONNX Runtime); null = the model's C# forward pass.</summary>
    public ITowerEncoder? UserTower { get; init; }

    /// <summary>Names the models in responses (with the config's version).</summary>
    public string Version { get; init; } = "models";

    /// <summary>
    /// Marks the CF vectors this ALS model's fold-in writes to the feature store, so that a version with another ALS
    /// model never reads them (its factors live in another space): the stored vector is the factors followed by this
    /// tag, and one whose tag differs is ignored (the request folds in afresh). 0 = untagged (a version that is never
    /// swapped: the stored vector is the bare factors). At most <see cref="MaxCfVectorTag"/>, so it is exact as a float.
    /// </summary>
    public int CfVectorTag { get; init; }

    /// <summary>
    /// The time (unix ms) of the newest event the models were trained on; 0 = not known. A user whose stored CF vector
    /// is another model's, and whose newest interaction is no later than this, gets this model's trained row: the
    /// model has seen those events. One with later events is folded in afresh. (Events that arrive late, stamped
    /// before this time but not in the training data, are taken as seen: the trained row serves until the next event.)
    /// </summary>
    public long TrainedUntilMs { get; init; }

    /// <summary>
    /// <see cref="TrainedUntilMs"/> from the training data's newest timestamp in unix seconds; 0 (not known) for none,
    /// or for one past the year 5000, which is a file of millisecond stamps read as seconds and would otherwise turn
    /// the fold-in across versions off for good.
    /// </summary>
    public static long TrainedUntilFromSeconds(long lastEventSeconds) =>
        lastEventSeconds is > 0 and < 100_000_000_000 ? lastEventSeconds * 1000 : 0;

    /// <summary>The largest <see cref="CfVectorTag"/> (2^24 - 1: every integer up to it is exact in a float).</summary>
    public const int MaxCfVectorTag = (1 << 24) - 1;

    /// <summary>Bulk-loaded item embeddings by name (see <see cref="EmbeddingSet"/>).</summary>
    public IReadOnlyDictionary<string, EmbeddingSet> Embeddings { get; init; } = new Dictionary<string, EmbeddingSet>();

    /// <summary>Checks that the parts fit each other (the edge: once, when a version is made).</summary>
    public void Validate()
    {
        if (CfIndex is not null && Als is null)
            throw new ArgumentException("a CF index needs the ALS model it was built from", nameof(CfIndex));
        if (CfIndex is not null && CfIndex.Dimension != Als!.Factors)
            throw new ArgumentException($"the CF index has dimension {CfIndex.Dimension}, ALS {Als.Factors} factors", nameof(CfIndex));
        if (CfIndex is not null && CfIndex.Metric == DistanceMetric.L2)
            throw new ArgumentException("the CF index must rank by inner product or cosine, not L2", nameof(CfIndex));
        if (ContentIndex is not null && Content is null)
            throw new ArgumentException("a content index needs the content vocabulary", nameof(ContentIndex));
        if (ContentIndex is not null && ContentIndex.Dimension != Content!.Dimension)
            throw new ArgumentException($"the content index has dimension {ContentIndex.Dimension}, the vocabulary {Content.Dimension}", nameof(ContentIndex));
        if (TwoTowerIndex is not null && TwoTower is null)
            throw new ArgumentException("a two-tower index needs the two-tower model", nameof(TwoTowerIndex));
        if (TwoTowerIndex is not null && (TwoTowerIndex.Dimension != TwoTower!.Dimension || TwoTowerIndex.Metric == DistanceMetric.L2))
            throw new ArgumentException($"the two-tower index must be cosine or inner product of dimension {TwoTower.Dimension} (is {TwoTowerIndex.Metric}, {TwoTowerIndex.Dimension})", nameof(TwoTowerIndex));
        if (UserTower is not null && (TwoTower is null || UserTower.Kind != TowerKind.User || UserTower.Dimension != TwoTower.Dimension
            || UserTower.FeatureCount != TwoTower.UserTower.Features || UserTower.IdSlots != TwoTower.UserTower.IdSlots || UserTower.PaddingId != TwoTower.PaddingId))
            throw new ArgumentException("the user tower encoder must be the user tower of the two-tower model (kind, features, id slots, padding id and dimension)", nameof(UserTower));
        if (Als is not null && AlsUsers is not null && AlsUsers.Count > Als.UserCount)
            throw new ArgumentException($"the ALS user map has {AlsUsers.Count} users, the model {Als.UserCount}", nameof(AlsUsers));
        if (CfVectorTag is < 0 or > MaxCfVectorTag)
            throw new ArgumentOutOfRangeException(nameof(CfVectorTag), CfVectorTag, $"must be in 0..{MaxCfVectorTag}");
        foreach (var (name, embedding) in Embeddings)
        {
            if (name != embedding.Name)
                throw new ArgumentException($"embedding set '{embedding.Name}' is listed as '{name}'", nameof(Embeddings));
        }
    }
}
