using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Models.Neighbors;

/// <summary>
/// Item-to-item similarity from item vectors (ALS factors, content vectors) for "similar items" surfaces:
/// the cosine between rows, top-K by exact scan. Serving at catalog scale puts the same vectors in an ANN
/// index; this is the exact answer and the offline tool.
/// </summary>
public static class VectorSimilarity
{
    /// <summary>The <paramref name="k"/> items most similar to <paramref name="item"/> (itself excluded), with cosines.</summary>
    public static (int[] Items, float[] Cosines) MostSimilar(ReadOnlySpan<float> vectors, int dimension, int item, int k)
    {
        int n = vectors.Length / dimension;
        if ((uint)item >= (uint)n)
            throw new ArgumentOutOfRangeException(nameof(item), $"item {item} outside 0..{n - 1}");
        var norms = new float[n];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> v = vectors.Slice(i * dimension, dimension);
            norms[i] = MathF.Sqrt(DotProduct.Compute(v, v));
        }
        var scores = new float[n];
        DotProduct.ComputeMany(vectors.Slice(item * dimension, dimension), vectors, dimension, scores);
        float self = norms[item];
        for (int i = 0; i < n; i++)
            scores[i] = self > 0 && norms[i] > 0 ? scores[i] / (self * norms[i]) : float.NegativeInfinity;
        scores[item] = float.NegativeInfinity;
        int take = Math.Min(k, n - 1);
        var top = new int[take];
        int got = TopItems.Select(scores, top, new float[take], new long[take]);
        var cos = new float[got];
        for (int r = 0; r < got; r++)
            cos[r] = scores[top[r]];
        return (top[..got], cos);
    }
}
