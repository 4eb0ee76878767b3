using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.PostProcess;

/// <summary>
/// Newer items rank higher: score moves up by weight x 2^(-age / half-life) x |score| (the surface's
/// <see cref="Config.SurfaceConfig.FreshnessHalfLifeHours"/> and <see cref="Config.SurfaceConfig.FreshnessWeight"/>),
/// so an item published now gains the full weight and one a half-life old half of it. Scale-free: it works on rank
/// fusion scores and ranker outputs alike. Items without a publish time are left as they are.
/// </summary>
public sealed class FreshnessBoost : IPostProcessor
{
    public string Name => "freshness";

    public void Process(PostProcessContext context)
    {
        var surface = context.Request.Surface;
        if (surface.FreshnessHalfLifeHours <= 0 || surface.FreshnessWeight == 0)
            return;
        double halfLifeMs = surface.FreshnessHalfLifeHours * 3_600_000;
        long now = context.Request.NowMs;
        var catalog = context.Request.Catalog;
        CandidateSet set = context.Candidates;
        Span<float> scores = set.Scores;
        ReadOnlySpan<int> ordinals = set.Ordinals;
        for (int i = 0; i < scores.Length; i++)
        {
            long published = catalog.PublishedAtMs(ordinals[i]);
            if (published <= 0 || float.IsNegativeInfinity(scores[i]))
                continue;
            double age = Math.Max(0, now - published);
            scores[i] += (float)(surface.FreshnessWeight * Math.Pow(2, -age / halfLifeMs)) * MathF.Abs(scores[i]);
        }
    }
}
