using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Pipeline.Abstractions;
using RecSys.Engine.Pipeline.Catalog;

namespace RecSys.Engine.Pipeline.PostProcess;

/// <summary>
/// Chooses the k shown items from the ranked candidates:
/// <code>
///   plain (lambda = 1, no cap)  the k best scores
///   MMR (lambda &lt; 1)           over the best DiversityPool: repeatedly take argmax  lambda rel(i) - (1 - lambda) max_sim(i, chosen)
///                               rel = score scaled to [0, 1] over the pool; sim = cosine of content vectors, or 1 / 0 for
///                               a shared / no shared category when either item has no content vector
///   category cap c &gt; 0         an item whose category already has c items chosen is passed over; when that leaves
///                               fewer than k (a request filtered to one category), the rest is filled in score order
/// </code>
/// O(k x pool x dimension); the pool bounds it whatever the catalog size.
/// </summary>
public sealed class DiversityStage : IPostProcessor
{
    public string Name => "diversity";

    public void Process(PostProcessContext context)
    {
        var surface = context.Request.Surface;
        int k = context.Request.K;
        CandidateSet set = context.Candidates;
        ReadOnlySpan<int> byScore = context.ByScore;
        int usable = 0;
        while (usable < byScore.Length && !float.IsNegativeInfinity(set.Scores[byScore[usable]]) && !float.IsNaN(set.Scores[byScore[usable]]))
            usable++;
        byScore = byScore[..usable];
        var catalog = context.Request.Catalog;
        var capCounts = context.Map;
        capCounts.Reset(64);
        int cap = surface.CategoryCap;

        if (surface.MmrLambda >= 1f)
        {
            for (int r = 0; r < byScore.Length && context.Ranked.Count < k; r++)
            {
                int c = byScore[r];
                if (cap > 0 && !TakeUnderCap(catalog, set.Ordinals[c], capCounts, cap))
                    continue;
                context.Ranked.Add(c, set.Scores[c]);
            }
        }
        else
        {
            SelectMmr(context, byScore[..Math.Min(byScore.Length, Math.Max(surface.DiversityPool, k))], k, surface.MmrLambda, cap);
        }
        // Backfill: the caps left the list short (few categories among the candidates), so the best of the rest fill it.
        for (int r = 0; r < byScore.Length && context.Ranked.Count < k; r++)
        {
            if (!context.Ranked.Contains(byScore[r]))
                context.Ranked.Add(byScore[r], set.Scores[byScore[r]]);
        }
    }

    private static void SelectMmr(PostProcessContext context, ReadOnlySpan<int> pool, int k, float lambda, int cap)
    {
        CandidateSet set = context.Candidates;
        var catalog = context.Request.Catalog;
        int p = pool.Length;
        if (p == 0)
            return;
        float[] rel = PostProcessContext.Ensure(ref context.FloatScratch, p);
        float[] maxSim = PostProcessContext.Ensure(ref context.FloatScratch2, p);
        int[] state = PostProcessContext.Ensure(ref context.IntScratch, p); // 0 open, 1 chosen, 2 capped out
        float top = set.Scores[pool[0]], bottom = set.Scores[pool[p - 1]];
        float range = top - bottom;
        for (int j = 0; j < p; j++)
        {
            rel[j] = range > 0 ? (set.Scores[pool[j]] - bottom) / range : 1f;
            maxSim[j] = 0;
            state[j] = 0;
        }
        var capCounts = context.Map;
        while (context.Ranked.Count < k)
        {
            int best = -1;
            float bestValue = float.NegativeInfinity;
            for (int j = 0; j < p; j++)
            {
                if (state[j] != 0)
                    continue;
                float value = lambda * rel[j] - (1f - lambda) * maxSim[j];
                if (value > bestValue)
                {
                    bestValue = value;
                    best = j;
                }
            }
            if (best < 0)
                return;
            int chosen = set.Ordinals[pool[best]];
            if (cap > 0 && !TakeUnderCap(catalog, chosen, capCounts, cap))
            {
                state[best] = 2;
                continue;
            }
            state[best] = 1;
            context.Ranked.Add(pool[best], set.Scores[pool[best]]);
            for (int j = 0; j < p; j++)
            {
                if (state[j] == 0)
                    maxSim[j] = Math.Max(maxSim[j], Similarity(catalog, context.Request.ContentRows, chosen, set.Ordinals[pool[j]]));
            }
        }
    }

    /// <summary>Cosine of the content vectors (the request's version's rows), or whether the items share a category when either has no vector.</summary>
    internal static float Similarity(LiveCatalog catalog, VectorTable? content, int a, int b)
    {
        if (content is not null)
        {
            ReadOnlySpan<float> va = content.Row(a), vb = content.Row(b);
            if (!va.IsEmpty && !vb.IsEmpty)
                return DotProduct.Compute(va, vb);
        }
        ReadOnlySpan<int> cb = catalog.CategoriesOf(b);
        foreach (int c in catalog.CategoriesOf(a))
        {
            if (cb.Contains(c))
                return 1f;
        }
        return 0f;
    }

    /// <summary>Counts the item against its categories' caps when none is full; false (nothing counted) otherwise.</summary>
    private static bool TakeUnderCap(LiveCatalog catalog, int ordinal, Collections.OrdinalMap counts, int cap)
    {
        ReadOnlySpan<int> categories = catalog.CategoriesOf(ordinal);
        foreach (int c in categories)
        {
            if (counts.TryGetValue(c, out int n) && n >= cap)
                return false;
        }
        foreach (int c in categories)
        {
            counts.TryGetValue(c, out int n);
            counts.Set(c, n + 1);
        }
        return true;
    }
}
