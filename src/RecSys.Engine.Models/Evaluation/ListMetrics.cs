using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Models.Evaluation;

/// <summary>
/// Beyond-accuracy metrics of one recommendation list:
/// <list type="bullet">
/// <item>Intra-list diversity by category: mean over item pairs of 1 - Jaccard(categories_a, categories_b)
/// (two items without categories count as identical, distance 0).</item>
/// <item>Intra-list diversity by embedding: mean over item pairs of 1 - cosine(v_a, v_b) (zero vectors: distance 1).</item>
/// <item>Novelty: mean over items of -log2(p_i), p_i = the share of training users who interacted with i
/// (unseen items count as one user, so the value stays finite).</item>
/// </list>
/// Lists of fewer than two items have diversity 0.
/// </summary>
public static class ListMetrics
{
    public static double CategoryDiversity(ReadOnlySpan<int> items, ItemCatalog catalog)
    {
        if (items.Length < 2)
            return 0;
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < items.Length; a++)
        {
            for (int b = a + 1; b < items.Length; b++)
            {
                sum += 1 - Jaccard(catalog.Categories(items[a]), catalog.Categories(items[b]));
                pairs++;
            }
        }
        return sum / pairs;
    }

    public static double EmbeddingDiversity(ReadOnlySpan<int> items, ReadOnlySpan<float> embedding, int dimension)
    {
        if (items.Length < 2)
            return 0;
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < items.Length; a++)
        {
            ReadOnlySpan<float> va = embedding.Slice(items[a] * dimension, dimension);
            double na = Math.Sqrt(DotProduct.Compute(va, va));
            for (int b = a + 1; b < items.Length; b++)
            {
                ReadOnlySpan<float> vb = embedding.Slice(items[b] * dimension, dimension);
                double nb = Math.Sqrt(DotProduct.Compute(vb, vb));
                double cos = na > 0 && nb > 0 ? DotProduct.Compute(va, vb) / (na * nb) : 0;
                sum += 1 - cos;
                pairs++;
            }
        }
        return sum / pairs;
    }

    /// <summary>Mean self-information; <paramref name="userCounts"/> = training users per item, <paramref name="users"/> = training users.</summary>
    public static double Novelty(ReadOnlySpan<int> items, ReadOnlySpan<int> userCounts, int users)
    {
        if (items.IsEmpty)
            return 0;
        double sum = 0;
        foreach (int i in items)
            sum += -Math.Log2(Math.Max(userCounts[i], 1) / (double)users);
        return sum / items.Length;
    }

    public static double Jaccard(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (a.Count == 0 && b.Count == 0)
            return 1;
        int common = 0;
        foreach (string x in a)
        {
            foreach (string y in b)
            {
                if (string.Equals(x, y, StringComparison.Ordinal))
                {
                    common++;
                    break;
                }
            }
        }
        return (double)common / (a.Count + b.Count - common);
    }
}
