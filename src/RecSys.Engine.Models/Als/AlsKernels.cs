using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using RecSys.Engine.Core.Vectors.Kernels;
using RecSys.Engine.Models.LinearAlgebra;

namespace RecSys.Engine.Models.Als;

/// <summary>
/// The per-row solves of implicit ALS. For a row with items i (confidence c_i, preference 1) and fixed
/// factors Y, the row x minimises sum_i c_i (1 - x.y_i)^2 + sum_{others} (x.y)^2 + lambda |x|^2, i.e.
/// (Y^T Y + lambda I + sum_i (c_i - 1) y_i y_i^T) x = sum_i c_i y_i. Y^T Y + lambda I ("gram") is shared by
/// every row and computed once per half-step.
/// </summary>
internal static class AlsKernels
{
    /// <summary>
    /// gram = Y^T Y + lambda I (k x k, float), from rows of length k. Each output row a accumulates ya * y over the
    /// rows in double, in row order; the wide paths only compute several b of one output row at once (multiply, then
    /// add: no fused multiply-add), so the result is bit for bit <see cref="GramReference"/>'s. Rows outer, output
    /// rows inner: each input row is widened to double once per thread. Parallel over blocks of output rows.
    /// At 1M x 96 this runs once per version load (ImplicitAls.PrepareFoldIn) and per ALS half-step.
    /// </summary>
    public static float[] Gram(float[] src, int rows, int k, float lambda)
    {
        // Accumulate in double: 10^5..10^6 rows of small values would lose digits in float.
        var acc = new double[k * k];
        int blocks = Math.Min(k, Math.Max(1, Environment.ProcessorCount)); // each block streams every row once
        // On the caller's scheduler: a version load runs this on low-priority threads (LowPriorityTaskScheduler), and
        // Parallel.For without a scheduler would move it to the thread pool at the server's priority.
        Parallel.For(0, blocks, new ParallelOptions { TaskScheduler = TaskScheduler.Current }, blk =>
        {
            int a0 = (int)((long)k * blk / blocks), a1 = (int)((long)k * (blk + 1) / blocks);
            var wide = new double[k];
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<float> y = src.AsSpan(r * k, k);
                for (int b = 0; b < k; b++)
                    wide[b] = y[b];
                for (int a = a0; a < a1; a++)
                {
                    double ya = wide[a];
                    if (ya == 0)
                        continue;
                    AddScaled(acc.AsSpan(a * k, k), ya, wide);
                }
            }
        });
        return ToGram(acc, k, lambda);
    }

    /// <summary>The float Gram from its double accumulator, lambda added on the diagonal.</summary>
    private static float[] ToGram(double[] acc, int k, float lambda)
    {
        var gram = new float[k * k];
        for (int i = 0; i < gram.Length; i++)
            gram[i] = (float)acc[i];
        for (int a = 0; a < k; a++)
            gram[a * k + a] += lambda;
        return gram;
    }

    /// <summary>row[b] += ya * y[b] for every b: multiply, then add (never fused), as the scalar loop does.</summary>
    private static void AddScaled(Span<double> row, double ya, ReadOnlySpan<double> y)
    {
        int b = 0;
        if (Vector512.IsHardwareAccelerated && row.Length >= Vector512<double>.Count)
        {
            var s512 = Vector512.Create(ya);
            for (; b <= row.Length - Vector512<double>.Count; b += Vector512<double>.Count)
                Vector512.Add(Vector512.Create<double>(row[b..]), s512 * Vector512.Create<double>(y[b..])).CopyTo(row[b..]);
        }
        else if (Vector256.IsHardwareAccelerated && row.Length >= Vector256<double>.Count)
        {
            var s256 = Vector256.Create(ya);
            for (; b <= row.Length - Vector256<double>.Count; b += Vector256<double>.Count)
                Vector256.Add(Vector256.Create<double>(row[b..]), s256 * Vector256.Create<double>(y[b..])).CopyTo(row[b..]);
        }
        for (; b < row.Length; b++)
            row[b] += ya * y[b];
    }

    /// <summary>The scalar reference of <see cref="Gram"/> (the loop it replaced, parallel over output rows as it was), rows in order.</summary>
    internal static float[] GramReference(float[] src, int rows, int k, float lambda)
    {
        var acc = new double[k * k];
        Parallel.For(0, k, a =>
        {
            Span<double> row = acc.AsSpan(a * k, k);
            for (int r = 0; r < rows; r++)
            {
                double ya = src[r * k + a];
                if (ya == 0)
                    continue;
                ReadOnlySpan<float> y = src.AsSpan(r * k, k);
                for (int b = 0; b < k; b++)
                    row[b] += ya * y[b];
            }
        });
        return ToGram(acc, k, lambda);
    }

    /// <summary>
    /// <paramref name="steps"/> conjugate-gradient steps on the row system, starting from <paramref name="x"/>
    /// (warm start). <paramref name="scratch"/> needs 3k floats.
    /// </summary>
    public static void ConjugateGradient(ReadOnlySpan<float> gram, ReadOnlySpan<float> factors, int k,
        ReadOnlySpan<int> items, ReadOnlySpan<float> confidence, Span<float> x, int steps, Span<float> scratch)
    {
        Span<float> r = scratch[..k];
        Span<float> p = scratch.Slice(k, k);
        Span<float> ap = scratch.Slice(2 * k, k);

        // r = b - A x = sum_i (c_i - (c_i - 1) y_i.x) y_i - gram x
        MatVec(gram, x, r, k);
        TensorPrimitives.Negate(r, r);
        for (int n = 0; n < items.Length; n++)
        {
            ReadOnlySpan<float> y = factors.Slice(items[n] * k, k);
            float c = confidence[n];
            TensorPrimitives.MultiplyAdd(y, c - (c - 1f) * DotProduct.Compute(y, x), r, r);
        }
        r.CopyTo(p);
        float rsOld = DotProduct.Compute(r, r);
        for (int step = 0; step < steps; step++)
        {
            if (rsOld < 1e-20f)
                break;
            // ap = A p
            MatVec(gram, p, ap, k);
            for (int n = 0; n < items.Length; n++)
            {
                ReadOnlySpan<float> y = factors.Slice(items[n] * k, k);
                TensorPrimitives.MultiplyAdd(y, (confidence[n] - 1f) * DotProduct.Compute(y, p), ap, ap);
            }
            float pAp = DotProduct.Compute(p, ap);
            if (!(pAp > 0))
                break;
            float alpha = rsOld / pAp;
            TensorPrimitives.MultiplyAdd(p, alpha, x, x);
            TensorPrimitives.MultiplyAdd(ap, -alpha, r, r);
            float rsNew = DotProduct.Compute(r, r);
            // p = r + (rsNew / rsOld) p
            TensorPrimitives.MultiplyAdd(p, rsNew / rsOld, r, p);
            rsOld = rsNew;
        }
    }

    /// <summary>Events gathered per block by <see cref="SolveExact"/>: bounds its scratch at 2 x k x 128 floats.</summary>
    public const int ExactBlock = 128;

    /// <summary>
    /// The exact row by Cholesky in double. A = gram + sum_i (c_i - 1) y_i y_i^T is built a block of events at a
    /// time: the block's factors are gathered transposed (k x B, and again scaled by c_i - 1), so every entry
    /// of the lower triangle is one contiguous dot product of length B instead of k tiny axpy calls per event.
    /// <paramref name="a"/> needs k*k doubles, <paramref name="b"/> k doubles, <paramref name="yt"/> and
    /// <paramref name="wt"/> k * <see cref="ExactBlock"/> floats each.
    /// </summary>
    public static void SolveExact(ReadOnlySpan<float> gram, ReadOnlySpan<float> factors, int k,
        ReadOnlySpan<int> items, ReadOnlySpan<float> confidence, Span<float> x, Span<double> a, Span<double> b, Span<float> yt, Span<float> wt)
    {
        for (int i = 0; i < k * k; i++)
            a[i] = gram[i];
        b[..k].Clear();
        for (int start = 0; start < items.Length; start += ExactBlock)
        {
            int n = Math.Min(ExactBlock, items.Length - start);
            for (int e = 0; e < n; e++)
            {
                ReadOnlySpan<float> y = factors.Slice(items[start + e] * k, k);
                float c = confidence[start + e];
                for (int f = 0; f < k; f++)
                {
                    yt[f * n + e] = y[f];
                    wt[f * n + e] = (c - 1f) * y[f];
                    b[f] += c * y[f];
                }
            }
            // Only the lower triangle is read by the factorisation.
            for (int row = 0; row < k; row++)
            {
                ReadOnlySpan<float> wRow = wt.Slice(row * n, n);
                Span<double> aRow = a.Slice(row * k, row + 1);
                for (int col = 0; col <= row; col++)
                    aRow[col] += DotProduct.Compute(wRow, yt.Slice(col * n, n));
            }
        }
        DenseCholesky.Factor(a, k);
        DenseCholesky.Solve(a, k, b);
        for (int j = 0; j < k; j++)
            x[j] = (float)b[j];
    }

    private static void MatVec(ReadOnlySpan<float> m, ReadOnlySpan<float> v, Span<float> result, int k)
    {
        for (int a = 0; a < k; a++)
            result[a] = DotProduct.Compute(m.Slice(a * k, k), v);
    }
}
