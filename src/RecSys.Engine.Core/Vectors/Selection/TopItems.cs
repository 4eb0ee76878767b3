
namespace RecSys.Engine.Core.Vectors.Selection;

/// <summary>Top-K item selection from a score vector, skipping excluded items (scores set to -inf or NaN).</summary>
public static class TopItems
{
    /// <summary>
    /// Writes the best items (highest score, ties to the smaller ordinal) into <paramref name="result"/> in
    /// rank order; returns how many were written (fewer than its length when too few items are eligible).
    /// <paramref name="distanceScratch"/> and <paramref name="idScratch"/> need result.Length entries.
    /// </summary>
    public static int Select(ReadOnlySpan<float> scores, Span<int> result, Span<float> distanceScratch, Span<long> idScratch)
    {
        int k = result.Length;
        var heap = new TopKHeap(distanceScratch[..k], idScratch[..k]);
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (float.IsNegativeInfinity(s) || float.IsNaN(s))
                continue;
            // The heap keeps the smallest distances: negate the score.
            heap.Push(-s, i);
        }
        int n = heap.SortAscending();
        for (int r = 0; r < n; r++)
            result[r] = (int)idScratch[r];
        return n;
    }

    /// <summary>Sets the scores of <paramref name="exclude"/> to -inf.</summary>
    public static void Exclude(Span<float> scores, ReadOnlySpan<int> exclude)
    {
        foreach (int i in exclude)
            scores[i] = float.NegativeInfinity;
    }
}
