using RecSys.Engine.Models.Blend;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Ranking;

/// <summary>
/// The pipeline's ranker when no learned model is configured: weighted reciprocal rank fusion of the sources
/// (<see cref="RankFusion.Contribution"/>: score = sum over the sources that found the item of w_s / (c + rank_s)),
/// with w_s the source's weight on the surface (<see cref="Config.SurfaceConfig.PersonalWeight"/> for the search
/// surface's personal column) and c
/// <see cref="Config.PipelineConfig.FusionC"/>. Rank-based, so sources with incomparable score scales mix without
/// calibration; an item several sources agree on rises. Needs no features, so the request skips the store reads.
/// </summary>
public sealed class ReciprocalRankFusionRanker : IRanker
{
    public string Name => "rrf";

    public bool NeedsFeatures => false;

    public ValueTask ScoreAsync(RankerInput input, Memory<float> scores, CancellationToken cancellationToken)
    {
        CandidateSet set = input.Candidates;
        RequestContext context = input.Request;
        Span<float> s = scores.Span[..set.Count];
        s.Clear();
        float c = context.Config.FusionC;
        for (int source = 0; source < set.SourceCount; source++)
        {
            string name = set.SourceNames[source];
            float weight = WeightOf(context.Surface, name);
            if (weight == 0)
                continue;
            ReadOnlySpan<int> ranks = set.SourceRank(source);
            for (int i = 0; i < s.Length; i++)
            {
                if (ranks[i] > 0)
                    s[i] += RankFusion.Contribution(weight, c, ranks[i]);
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The weight source <paramref name="name"/> gets on the surface (1 when unlisted); also read by <see cref="FusionBaseline"/>.</summary>
    internal static float WeightOf(Config.SurfaceConfig surface, string name)
    {
        if (name == Sources.SourceNames.Personal)
            return surface.PersonalWeight;
        var sources = surface.Sources;
        for (int i = 0; i < sources.Count; i++)
        {
            if (string.Equals(sources[i].Name, name, StringComparison.Ordinal))
                return sources[i].Weight;
        }
        return 1f;
    }
}
