using RecSys.Engine.Models.Blend;

namespace RecSys.Engine.Models.Factory;

/// <summary>Builds models by kind from <see cref="ModelSettings"/> (how each kind is built is in <see cref="ModelKinds"/>).</summary>
public static class ModelFactory
{
    public static IRecommender Create(ModelKind kind, ModelSettings settings, Func<ModelKind, IRecommender>? trainedSource = null) =>
        kind.Info().Create(settings, trainedSource);

    /// <summary>
    /// A new candidate source by ranking-schema source name (<see cref="Ranking.RankingFeatureSchema.Sources"/>); null for
    /// a name that is not a retrieval source here (the blend and the ranked model are not sources; the two-tower model is
    /// one, but is not fed to the ranker yet: its training would run once per inner split and move the ranker's results).
    /// </summary>
    public static Func<string, IRecommender?> RankingSource(ModelSettings settings) =>
        name => ModelKinds.TryParse(name, out ModelKind kind) && kind is not (ModelKind.Blend or ModelKind.Ranked or ModelKind.TwoTower) ? Create(kind, settings) : null;

    /// <summary>
    /// The blend over the weighted sources; with <paramref name="trainedSource"/> it reuses already trained
    /// instances (and does not refit them), otherwise it builds and fits its own.
    /// </summary>
    public static RankFusion CreateBlend(ModelSettings settings, Func<ModelKind, IRecommender>? trainedSource)
    {
        var sources = new List<BlendSource>();
        foreach (var (kind, weight) in settings.BlendSources())
            sources.Add(new BlendSource(trainedSource is null ? Create(kind, settings) : trainedSource(kind), weight));
        return new RankFusion(sources, settings.BlendDepth, settings.BlendC, fitSources: trainedSource is null);
    }
}
