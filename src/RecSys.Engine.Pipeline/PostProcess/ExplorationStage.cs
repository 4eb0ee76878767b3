using Microsoft.Extensions.Logging;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.PostProcess;

/// <summary>
/// Exploration slots: a share of the positions (<see cref="Config.SurfaceConfig.ExplorationShare"/> of k, the
/// fraction drawn as a coin flip) from <see cref="Config.SurfaceConfig.ExplorationFirstPosition"/> on, evenly
/// spread, each given to a candidate drawn uniformly from the under-exposed ones (fewer impressions than
/// <see cref="Config.PipelineConfig.ExplorationImpressions"/>: new items first of all) that are not shown already.
/// The draw's probability (1 / eligible) is the item's propensity, returned and logged for off-policy evaluation.
/// Random draws are seeded by the request id, so a request replays the same answer.
/// </summary>
public sealed class ExplorationStage : IPostProcessor
{
    private static readonly Action<ILogger, string, long, int, float, Exception?> s_logPick =
        LoggerMessage.Define<string, long, int, float>(LogLevel.Debug, new EventId(1301, "ExplorationSlot"),
            "request {RequestId}: exploration item {ItemId} at position {Position}, propensity {Propensity}");

    public string Name => "exploration";

    public void Process(PostProcessContext context)
    {
        var request = context.Request;
        var surface = request.Surface;
        int k = request.K;
        if (surface.ExplorationShare <= 0 || k <= surface.ExplorationFirstPosition)
            return;
        // The request id's stable 64-bit key seeds the draws: a request replays the same answer.
        var rng = new SplitMix64((ulong)Models.Data.CatalogIdMap.KeyOf(request.RequestId));
        double wanted = surface.ExplorationShare * k;
        int slots = (int)wanted + (NextDouble(ref rng) < wanted - Math.Floor(wanted) ? 1 : 0);
        if (slots == 0)
            return;

        CandidateSet set = context.Candidates;
        int[] eligible = PostProcessContext.Ensure(ref context.IntScratch, set.Count);
        int e = 0;
        int threshold = request.Config.ExplorationImpressions;
        for (int i = 0; i < set.Count; i++)
        {
            if (!float.IsNegativeInfinity(set.Scores[i]) && request.Catalog.Impressions(set.Ordinals[i]) < threshold && !context.Ranked.Contains(i))
                eligible[e++] = i;
        }
        int span = k - surface.ExplorationFirstPosition;
        for (int s = 0; s < slots && e > 0; s++)
        {
            int position = surface.ExplorationFirstPosition + (int)((long)(s + 1) * span / (slots + 1));
            int pick = (int)(NextDouble(ref rng) * e);
            float propensity = 1f / e;
            int candidate = eligible[pick];
            eligible[pick] = eligible[--e];
            if (position < context.Ranked.Count)
                context.Ranked.RemoveAt(position);
            context.Ranked.InsertExploration(position, candidate, set.Scores[candidate], propensity);
            if (context.Logger is { } logger && logger.IsEnabled(LogLevel.Debug))
                s_logPick(logger, request.RequestId, set.ItemIds[candidate], Math.Min(position, context.Ranked.Count - 1), propensity, null);
        }
    }

    private static double NextDouble(ref SplitMix64 rng) => (rng.Next() >> 11) * (1.0 / (1UL << 53));
}
