using System.Diagnostics.CodeAnalysis;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Models.Factory;

/// <summary>
/// The registry of model kinds: for each, its name, what it is, what it needs and how it is built from
/// <see cref="ModelSettings"/> (which holds every default). Names are parsed once, at the edge (the command
/// line, a config), into <see cref="ModelKind"/>; everything inside passes the enum.
/// </summary>
public static class ModelKinds
{
    private static readonly ModelKindInfo[] Infos =
    [
        new()
        {
            Kind = ModelKind.Popularity, Name = "popularity",
            Summary = "overall interaction counts, undecayed (no settings)",
            Create = (_, _) => new PopularityModel(new PopularityOptions(), ModelKind.Popularity.Name()),
        },
        new()
        {
            Kind = ModelKind.Trending, Name = "trending",
            Summary = "time-decayed popularity per user segment (TrendingHalfLifeDays, TrendingSegmentPrior)",
            Create = (s, _) => new PopularityModel(
                new PopularityOptions { HalfLifeDays = s.TrendingHalfLifeDays, BySegment = true, SegmentPrior = s.TrendingSegmentPrior },
                ModelKind.Trending.Name()),
        },
        new()
        {
            Kind = ModelKind.ItemKnn, Name = "itemknn",
            Summary = "item-to-item neighbours from co-occurrence (KnnNeighbors, KnnSimilarity)",
            Create = (s, _) => new ItemKnn(s.KnnNeighbors, s.KnnSimilarity),
        },
        new()
        {
            Kind = ModelKind.Ease, Name = "ease",
            Summary = "EASE closed-form item-item weights (EaseLambda, EaseDropout)",
            Create = (s, _) => new Ease(s.EaseLambda, dropout: s.EaseDropout),
        },
        new()
        {
            Kind = ModelKind.Als, Name = "als",
            Summary = "implicit ALS matrix factorisation (Als: factors, alpha, lambda, iterations)",
            Create = (s, _) => new ImplicitAls(s.Als),
        },
        new()
        {
            Kind = ModelKind.Content, Name = "content",
            Summary = "content vectors from item metadata (Content)",
            NeedsItemMetadata = true,
            Create = (s, _) => new ContentEncoder(s.Content),
        },
        new()
        {
            Kind = ModelKind.Blend, Name = "blend",
            Summary = "weighted reciprocal rank fusion of other kinds (BlendWeights, BlendDepth, BlendC)",
            Create = ModelFactory.CreateBlend,
        },
        new()
        {
            Kind = ModelKind.Ranked, Name = "ranked",
            Summary = "retrieval sources -> ranking features -> MLP ranker, trained on an inner split of the training part (Ranker)",
            // It fits its own sources: on the inner split for the training rows, then on the whole training part.
            Create = (s, _) => new RankedRecommender(ModelFactory.RankingSource(s), s.Ranker),
        },
        new()
        {
            Kind = ModelKind.TwoTower, Name = "twotower",
            Summary = "two-tower retriever: user and item towers, in-batch sampled softmax, early stopping on validation recall (TwoTower, Content)",
            Create = (s, _) => new TwoTowerModel(s.TwoTower, s.Content),
        },
        new()
        {
            Kind = ModelKind.Sequence, Name = "sequence",
            Summary = "item-to-item neighbours by adjacency in time-ordered histories, scored over the whole history (SequenceNeighbors, SequenceWindow)",
            Create = (s, _) => new ItemKnn(s.SequenceNeighbors, ItemSimilarityKind.Sequence, window: s.SequenceWindow),
        },
    ];

    /// <summary>Every kind, in <see cref="ModelKind"/> (report) order.</summary>
    public static IReadOnlyList<ModelKindInfo> All => Infos;

    /// <summary>"popularity, trending, ..." for messages and help.</summary>
    public static string KnownNames { get; } = string.Join(", ", Infos.Select(i => i.Name));

    public static ModelKindInfo Info(this ModelKind kind) =>
        (uint)kind < (uint)Infos.Length ? Infos[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a model kind");

    /// <summary>The kind's name as results and the command line spell it.</summary>
    public static string Name(this ModelKind kind) => kind.Info().Name;

    /// <summary>Exact, case-sensitive match on <see cref="ModelKindInfo.Name"/>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out ModelKind kind)
    {
        foreach (var info in Infos)
        {
            if (string.Equals(info.Name, name, StringComparison.Ordinal))
            {
                kind = info.Kind;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>The kind named <paramref name="name"/>; an unknown name is an ArgumentException listing the known ones.</summary>
    public static ModelKind Parse(string name) =>
        TryParse(name, out var kind) ? kind : throw new ArgumentException($"unknown model '{name}' (known: {KnownNames})", nameof(name));
}
