using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Blend;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Popularity;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.Factory;

/// <summary>Builds models by name from <see cref="ModelSettings"/>.</summary>
public static class ModelFactory
{
    /// <summary>The names <see cref="Create"/> knows, in the order reports list them.</summary>
    public static readonly string[] Names = ["popularity", "trending", "itemknn", "ease", "als", "content", "blend", "ranked"];

    public static IRecommender Create(string name, ModelSettings settings, Func<string, IRecommender>? trainedSource = null) => name switch
    {
        "popularity" => new PopularityModel(new PopularityOptions(), "popularity"),
        "trending" => new PopularityModel(new PopularityOptions { HalfLifeDays = settings.TrendingHalfLifeDays, BySegment = true, SegmentPrior = settings.TrendingSegmentPrior }, "trending"),
        "itemknn" => new ItemKnn(settings.KnnNeighbors, settings.KnnSimilarity),
        "ease" => new Ease(settings.EaseLambda),
        "als" => new ImplicitAls(settings.Als),
        "content" => new ContentEncoder(settings.Content),
        "blend" => CreateBlend(settings, trainedSource),
        // The two-stage model fits its own sources (on an inner split first, then on the whole training part).
        "ranked" => new RankedRecommender(RankingSource(settings), settings.Ranker),
        _ => throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>A new candidate source by ranking-schema name; null for names that are not a source here (two-tower today).</summary>
    public static Func<string, IRecommender?> RankingSource(ModelSettings settings) =>
        name => name is "blend" or "ranked" || Array.IndexOf(Names, name) < 0 ? null : Create(name, settings);

    /// <summary>
    /// The blend over the weighted sources; with <paramref name="trainedSource"/> it reuses already trained
    /// instances (and does not refit them), otherwise it builds and fits its own.
    /// </summary>
    public static RankFusion CreateBlend(ModelSettings settings, Func<string, IRecommender>? trainedSource)
    {
        var sources = new List<BlendSource>();
        foreach (var (name, weight) in settings.BlendWeights.OrderBy(p => Array.IndexOf(Names, p.Key)))
        {
            if (weight == 0)
                continue;
            if (name == "blend")
                throw new ArgumentException("the blend cannot contain itself");
            sources.Add(new BlendSource(trainedSource is null ? Create(name, settings) : trainedSource(name), weight));
        }
        return new RankFusion(sources, settings.BlendDepth, settings.BlendC, fitSources: trainedSource is null);
    }
}
