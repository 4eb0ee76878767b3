using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Models.Factory;

/// <summary>
/// Every hyper-parameter of every model in one place: what <c>recsys eval</c> runs with, what tuning
/// changes, and what the results table prints. Defaults are the reference points (ALS 64 factors,
/// alpha 4, lambda 40, 10 sweeps; EASE lambda 300) and a plain ALS + EASE blend; <c>recsys eval --tune</c>
/// replaces them with values chosen on a validation split.
/// </summary>
public sealed record ModelSettings
{
    public AlsOptions Als { get; init; } = new();

    public float EaseLambda { get; init; } = 300f;

    /// <summary>
    /// EASE input dropout (the EDLAE closed form, see <see cref="Neighbors.Ease"/>). 0.5 was chosen with lambda 300 on
    /// inner splits of MovieLens 100K (two random, one temporal; eval-ml100k.md), where it beat plain EASE on all three.
    /// </summary>
    public float EaseDropout { get; init; } = 0.5f;

    public int KnnNeighbors { get; init; } = 100;

    public ItemSimilarityKind KnnSimilarity { get; init; } = ItemSimilarityKind.Cosine;

    /// <summary>
    /// Neighbours kept per item by the sequence model (adjacency in time-ordered histories). For a serving version
    /// (TrainedModels.Train) 0 means no sequence model: no default surface lists it, and at 1M items it costs about 9 s
    /// and 356 MB per version; a surface that lists "sequence" then fails to load with that version, naming the source.
    /// </summary>
    public int SequenceNeighbors { get; init; } = 100;

    /// <summary>How many positions apart two events of one history may be to count as adjacent (the sequence model).</summary>
    public int SequenceWindow { get; init; } = 3;

    public ContentOptions Content { get; init; } = new();

    public double TrendingHalfLifeDays { get; init; } = 30;

    public double TrendingSegmentPrior { get; init; } = 50;

    /// <summary>Blend weights by source name (<see cref="ModelKindInfo.Name"/>); sources with weight 0 are left out.</summary>
    public IReadOnlyDictionary<string, float> BlendWeights { get; init; } = new Dictionary<string, float>
    {
        [ModelKind.Als.Name()] = 1f,
        [ModelKind.Ease.Name()] = 1f,
    };

    /// <summary>
    /// The blend's sources with a weight other than 0, in <see cref="ModelKind"/> order. A name the registry does
    /// not know, or the blend itself, is an ArgumentException.
    /// </summary>
    public IReadOnlyList<(ModelKind Kind, float Weight)> BlendSources()
    {
        var sources = new List<(ModelKind Kind, float Weight)>();
        foreach (var (name, weight) in BlendWeights)
        {
            if (weight == 0)
                continue;
            var kind = ModelKinds.Parse(name);
            if (kind == ModelKind.Blend)
                throw new ArgumentException("the blend cannot contain itself");
            sources.Add((kind, weight));
        }
        return [.. sources.OrderBy(s => s.Kind)];
    }

    public int BlendDepth { get; init; } = 100;

    public float BlendC { get; init; } = 60f;

    /// <summary>The "ranked" model: retrieval depth, feature groups, inner splits, MLP.</summary>
    public RankerTrainingOptions Ranker { get; init; } = new();

    /// <summary>The "twotower" retriever: tower shapes, softmax temperature, training loop.</summary>
    public TwoTowerOptions TwoTower { get; init; } = new();
}
