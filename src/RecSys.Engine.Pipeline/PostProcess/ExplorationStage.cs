using Microsoft.Extensions.Logging;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Config;

namespace RecSys.Engine.Pipeline.PostProcess;

/// <summary>
/// Exploration slots: a share of the positions (<see cref="SurfaceConfig.ExplorationShare"/> of k, the fraction drawn as a
/// coin flip) from <see cref="SurfaceConfig.ExplorationFirstPosition"/> on, evenly spread or at the end of the page
/// (<see cref="SurfaceConfig.ExplorationPlacement"/>), each given to one of the eligible candidates: under-exposed (fewer
/// impressions than <see cref="PipelineConfig.ExplorationImpressions"/>, or for an established item than
/// <see cref="SurfaceConfig.ExplorationEstablishedImpressions"/> where the surface sets it), not shown already, and, with
/// <see cref="SurfaceConfig.ExplorationPool"/> set, among that many best-scored candidates below the list. New items (those
/// the new-items source found) are eligible outside the pool too: the pool keeps established items relevant, and a new
/// item's exploration is its cold start.
/// <code>
///   Uniform     a draw seeded by the request id (a request replays the same answer); propensity 1 / eligible
///   LeastShown  the fewest impressions so far, then a new item before an established one, then the better score;
///               with ExplorationEpsilon e a seeded uniform draw instead, that often: propensity (1 - e) + e / eligible
///               for the least shown, e / eligible for any other (1 at e = 0: deterministic given the counters)
/// </code>
/// The propensity is returned with the item and logged, for off-policy evaluation.
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
        int slots = (int)wanted + (rng.NextDouble() < wanted - Math.Floor(wanted) ? 1 : 0);
        if (slots == 0)
            return;

        CandidateSet set = context.Candidates;
        int[] eligible = PostProcessContext.Ensure(ref context.IntScratch, set.Count);
        int e = 0;
        int threshold = request.Config.ExplorationImpressions;
        int established = surface.ExplorationEstablishedImpressions ?? threshold;
        var catalog = request.Catalog;
        uint newItems = NewItemsBit(set);
        ReadOnlySpan<uint> found = set.SourceMask;
        if (surface.ExplorationPool == 0 && surface.ExplorationPick == ExplorationPick.Uniform)
        {
            // Every candidate, in candidate order (the order the seeded draws have always indexed).
            for (int i = 0; i < set.Count; i++)
            {
                if (!float.IsNegativeInfinity(set.Scores[i]) && catalog.Impressions(set.Ordinals[i]) < ((found[i] & newItems) != 0 ? threshold : established) && !context.Ranked.Contains(i))
                    eligible[e++] = i;
            }
        }
        else
        {
            // Best score first: the pool is the best candidates below the list, and LeastShown breaks ties by this order.
            // New items (what the new-items source found) are eligible wherever they rank: their exploration is the
            // cold start's, and the pool only keeps established items relevant.
            int pool = surface.ExplorationPool == 0 ? int.MaxValue : surface.ExplorationPool;
            ReadOnlySpan<int> byScore = context.ByScore;
            for (int r = 0, inPool = 0; r < byScore.Length && (inPool < pool || newItems != 0); r++)
            {
                int i = byScore[r];
                float score = set.Scores[i];
                bool isNew = (found[i] & newItems) != 0;
                if ((inPool >= pool && !isNew) || float.IsNegativeInfinity(score) || float.IsNaN(score) || context.Ranked.Contains(i))
                    continue;
                inPool++;
                if (catalog.Impressions(set.Ordinals[i]) < (isNew ? threshold : established))
                    eligible[e++] = i;
            }
        }
        int span = k - surface.ExplorationFirstPosition;
        for (int s = 0; s < slots && e > 0; s++)
        {
            int position = surface.ExplorationPlacement == ExplorationPlacement.Tail
                ? Math.Max(surface.ExplorationFirstPosition, k - 1 - s)
                : surface.ExplorationFirstPosition + (int)((long)(s + 1) * span / (slots + 1));
            int pick;
            float propensity;
            int candidate;
            if (surface.ExplorationPick == ExplorationPick.LeastShown)
            {
                // Fewest impressions first, a new item before an established one with as few, then the better score.
                pick = 0;
                long fewest = LeastShownKey(catalog, set, eligible[0], newItems);
                for (int j = 1; j < e && fewest > 0; j++)
                {
                    long key = LeastShownKey(catalog, set, eligible[j], newItems);
                    if (key < fewest)
                    {
                        fewest = key;
                        pick = j;
                    }
                }
                // With ExplorationEpsilon, a seeded uniform draw replaces the pick that often: every eligible item keeps a
                // known chance, which off-policy estimates need.
                float epsilon = surface.ExplorationEpsilon;
                int least = pick;
                if (epsilon > 0 && rng.NextDouble() < epsilon)
                    pick = (int)(rng.NextDouble() * e);
                propensity = (pick == least ? 1f - epsilon : 0f) + epsilon / e;
                candidate = eligible[pick];
                // Keep the rest in score order: a second slot's tie-break needs it.
                Array.Copy(eligible, pick + 1, eligible, pick, --e - pick);
            }
            else
            {
                pick = (int)(rng.NextDouble() * e);
                propensity = 1f / e;
                candidate = eligible[pick];
                eligible[pick] = eligible[--e];
            }
            // A slot replaces the ranked item there, never an earlier slot (a short list can put two on one position).
            if (position < context.Ranked.Count && !context.Ranked.IsExploration(position))
                context.Ranked.RemoveAt(position);
            context.Ranked.InsertExploration(position, candidate, set.Scores[candidate], propensity);
            if (context.Logger is { } logger && logger.IsEnabled(LogLevel.Debug))
                s_logPick(logger, request.RequestId, set.ItemIds[candidate], Math.Min(position, context.Ranked.Count - 1), propensity, null);
        }
    }

    /// <summary>The new-items source's bit in <see cref="CandidateSet.SourceMask"/> (0 when the surface does not run it).</summary>
    private static uint NewItemsBit(CandidateSet set)
    {
        int source = set.SourceNames.IndexOf(Sources.SourceNames.NewItems);
        return source < 0 ? 0u : 1u << source;
    }

    /// <summary>2 x impressions, + 1 for an item the new-items source did not find: fewer impressions first, then new items.</summary>
    private static long LeastShownKey(Catalog.LiveCatalog catalog, CandidateSet set, int candidate, uint newItems) =>
        2L * catalog.Impressions(set.Ordinals[candidate]) + ((set.SourceMask[candidate] & newItems) != 0 ? 0 : 1);
}
