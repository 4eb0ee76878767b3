using RecSys.Engine.Pipeline.Abstractions;

namespace RecSys.Engine.Pipeline.Merge;

/// <summary>
/// Merges the lists of the sources that answered into one deduplicated <see cref="CandidateSet"/>, keeping
/// provenance: for each item, every source's 1-based rank and score, and the best-ranking source. Sources are
/// merged in the surface's order, so the set's order (first seen first) is deterministic.
/// </summary>
internal static class CandidateMerger
{
    public static void Merge(RequestContext context, ReadOnlySpan<string> names, ReadOnlySpan<CandidateList> lists, CandidateSet set)
    {
        int capacity = 0;
        foreach (var list in lists)
            capacity += list.Count;
        // Room for the rule-added pins as well.
        set.Reset(names, capacity + 16);
        var items = context.Catalog.Items;
        for (int s = 0; s < lists.Length; s++)
        {
            ReadOnlySpan<int> ordinals = lists[s].Ordinals;
            ReadOnlySpan<float> scores = lists[s].Scores;
            for (int r = 0; r < ordinals.Length; r++)
            {
                int ordinal = ordinals[r];
                int i = set.IndexOf(ordinal);
                if (i < 0)
                    i = set.GetOrAdd(ordinal, items.ExternalId(ordinal));
                set.SetFound(i, s, r + 1, scores[r]);
            }
        }
    }
}
