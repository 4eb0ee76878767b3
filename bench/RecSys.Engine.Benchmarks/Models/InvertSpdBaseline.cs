using System.Numerics.Tensors;

namespace RecSys.Engine.Benchmarks.Models;

/// <summary>
/// The first version of DenseCholesky.InvertSpd (one dot product per entry in every phase), kept verbatim
/// as the baseline the blocked four-way version is measured against in the same run.
/// </summary>
public static class InvertSpdBaseline
{
    /// <summary>
    /// The inverse of a symmetric positive definite matrix (row-major n x n; only the lower triangle is read),
    /// returned full and symmetric. Cholesky (row-parallel after each pivot block is not worth it at n ~ 2k,
    /// so the factor is sequential), then L^-1 column by column in parallel, then A^-1 = L^-T L^-1 in parallel.
    /// </summary>
    public static double[] Invert(ReadOnlySpan<double> a, int n, int maxDegreeOfParallelism = -1)
    {
        var l = a[..(n * n)].ToArray();
        FactorParallel(l, n, maxDegreeOfParallelism);
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };

        // u = (L^-1)^T: row j of u holds column j of L^-1 (non-zero from index j), so forward substitution
        // for column j is a dot of L row i [j, i) against u row j [j, i): both contiguous.
        var u = new double[(long)n * n];
        Parallel.For(0, n, options, j =>
        {
            Span<double> x = u.AsSpan(j * n, n);
            x[j] = 1.0 / l[j * n + j];
            for (int i = j + 1; i < n; i++)
                x[i] = -TensorPrimitives.Dot<double>(l.AsSpan(i * n + j, i - j), x.Slice(j, i - j)) / l[i * n + i];
        });

        // A^-1[i, j] = sum_k L^-1[k, i] L^-1[k, j] = dot(u row i, u row j) over k >= max(i, j).
        var inv = new double[(long)n * n];
        Parallel.For(0, n, options, i =>
        {
            ReadOnlySpan<double> ui = u.AsSpan(i * n, n);
            for (int j = i; j < n; j++)
            {
                double v = TensorPrimitives.Dot<double>(ui[j..], u.AsSpan(j * n + j, n - j));
                inv[i * n + j] = v;
                inv[j * n + i] = v;
            }
        });
        return inv;
    }

    /// <summary>
    /// Left-looking Cholesky, parallel within each column: once L[j, j] is known every L[i, j] (i &gt; j) is an
    /// independent dot product of two row prefixes. Same arithmetic, in the same order, as <see cref="Factor"/>.
    /// </summary>
    private static void FactorParallel(double[] a, int n, int maxDegreeOfParallelism = -1)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        // Below this many rows left, a parallel loop costs more than it saves.
        const int ParallelThreshold = 96;
        for (int j = 0; j < n; j++)
        {
            ReadOnlySpan<double> rowJ = a.AsSpan(j * n, j);
            double d = a[j * n + j] - TensorPrimitives.Dot(rowJ, rowJ);
            if (!(d > 0))
                throw new ArithmeticException($"matrix is not positive definite (pivot {j} is {d})");
            double ljj = Math.Sqrt(d);
            a[j * n + j] = ljj;
            int jj = j;
            if (n - j - 1 >= ParallelThreshold)
            {
                // Chunks of rows per task keep the scheduling cost far below the work.
                int chunks = Math.Min(64, n - j - 1);
                Parallel.For(0, chunks, options, c =>
                {
                    int start = jj + 1 + (int)((long)(n - jj - 1) * c / chunks);
                    int end = jj + 1 + (int)((long)(n - jj - 1) * (c + 1) / chunks);
                    ReadOnlySpan<double> pj = a.AsSpan(jj * n, jj);
                    for (int i = start; i < end; i++)
                        a[i * n + jj] = (a[i * n + jj] - TensorPrimitives.Dot(a.AsSpan(i * n, jj), pj)) / ljj;
                });
            }
            else
            {
                for (int i = j + 1; i < n; i++)
                    a[i * n + j] = (a[i * n + j] - TensorPrimitives.Dot(a.AsSpan(i * n, j), rowJ)) / ljj;
            }
        }
    }
}
