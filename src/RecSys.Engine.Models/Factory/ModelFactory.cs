using RecSys.Engine.Models.Blend;

namespace RecSys.Engine.Models.Factory;

/// <summary>Builds models by kind from <see cref="ModelSettings"/> (how each kind is built is in <see cref="ModelKinds"/>).</summary>
public static class ModelFactory
{
    public static IRecommender Create(ModelKind kind, ModelSettings settings, Func<ModelKind, IRecommender>? trainedSource = null) =>
        kind.Info().Create(settings, trainedSource);

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
