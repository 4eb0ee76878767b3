using System.Numerics.Tensors;

namespace RecSys.Engine.Models.LinearAlgebra;

/// <summary>
/// Cholesky factorisation and SPD inversion of dense row-major double matrices. Small k x k systems
/// (ALS, fold-in) use <see cref="Factor"/> + <see cref="Solve"/> on one thread; the n x n Gram matrix of
/// EASE uses <see cref="InvertSpd"/>, parallel over columns. Every inner loop is a contiguous dot product
/// (TensorPrimitives.Dot), which is why the factor is kept row-major lower and its inverse is stored
/// transposed.
/// </summary>
public static class DenseCholesky
{
    /// <summary>
    /// In place: the lower triangle of <paramref name="a"/> (n x n, row-major) becomes L with A = L L^T;
    /// the strict upper triangle is left untouched. Throws when A is not positive definite.
    /// </summary>
    public static void Factor(Span<double> a, int n)
    {
        if (a.Length < n * n)
            throw new ArgumentException($"matrix needs {n * n} values, got {a.Length}", nameof(a));
        for (int i = 0; i < n; i++)
        {
            Span<double> rowI = a.Slice(i * n, n);
            for (int j = 0; j < i; j++)
            {
                ReadOnlySpan<double> rowJ = a.Slice(j * n, j);
                rowI[j] = (rowI[j] - TensorPrimitives.Dot(rowI[..j], rowJ)) / a[j * n + j];
            }
            double d = rowI[i] - TensorPrimitives.Dot<double>(rowI[..i], rowI[..i]);
            if (!(d > 0))
                throw new ArithmeticException($"matrix is not positive definite (pivot {i} is {d})");
            rowI[i] = Math.Sqrt(d);
        }
    }

    /// <summary>Solves L L^T x = b in place (<paramref name="b"/> becomes x) with L from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, Span<double> b)
    {
        for (int i = 0; i < n; i++)
            b[i] = (b[i] - TensorPrimitives.Dot(l.Slice(i * n, i), b[..i])) / l[i * n + i];
        // Back substitution with L^T reads L by column; n is small (k factors) on this path.
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int r = i + 1; r < n; r++)
                s -= l[r * n + i] * b[r];
            b[i] = s / l[i * n + i];
        }
    }

    /// <summary>
    /// The inverse of a symmetric positive definite matrix (row-major n x n; only the lower triangle is read),
    /// returned full and symmetric: blocked Cholesky, then L^-1 four columns at a time, then
    /// A^-1 = L^-T L^-1 four rows at a time, each phase parallel. Every phase works through
    /// <see cref="DoubleDot4"/> so a row streamed from memory serves four results.
    /// </summary>
    public static double[] InvertSpd(ReadOnlySpan<double> a, int n, int maxDegreeOfParallelism = -1)
    {
        var l = a[..(n * n)].ToArray();
        FactorParallel(l, n, maxDegreeOfParallelism);
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };

        // u = (L^-1)^T: row j of u holds column j of L^-1 (zero before index j), so forward substitution
        // for column j reads L row i [j, i) against u row j [j, i): both contiguous. Four columns share
        // each L row; entries below a column's start are zero, so one dot over [j0, i) serves all four.
        var u = new double[(long)n * n];
        int groups = (n + 3) / 4;
        Parallel.For(0, groups, options, () => new double[4], (g, _, r) =>
        {
            int j0 = g * 4, width = Math.Min(4, n - j0);
            for (int c = 0; c < width; c++)
                u[(j0 + c) * n + j0 + c] = 1.0 / l[(j0 + c) * n + j0 + c];
            for (int i = j0 + 1; i < n; i++)
            {
                ReadOnlySpan<double> li = l.AsSpan(i * n + j0, i - j0);
                double inv = 1.0 / l[i * n + i];
                if (width == 4 && i >= j0 + 4)
                {
                    DoubleDot4.Compute(u.AsSpan(j0 * n + j0, i - j0), u.AsSpan((j0 + 1) * n + j0, i - j0),
                        u.AsSpan((j0 + 2) * n + j0, i - j0), u.AsSpan((j0 + 3) * n + j0, i - j0), li, r);
                    for (int c = 0; c < 4; c++)
                        u[(j0 + c) * n + i] = -r[c] * inv;
                    continue;
                }
                for (int c = 0; c < width && j0 + c < i; c++)
                    u[(j0 + c) * n + i] = -TensorPrimitives.Dot<double>(li, u.AsSpan((j0 + c) * n + j0, i - j0)) * inv;
            }
            return r;
        }, _ => { });

        // A^-1[i, j] = sum_k L^-1[k, i] L^-1[k, j] = dot(u row i, u row j) over k >= max(i, j); u is zero
        // below the diagonal, so for a group of four rows one dot over [j, n) gives all four (j >= i written).
        var result = new double[(long)n * n];
        Parallel.For(0, groups, options, () => new double[4], (g, _, r) =>
        {
            int i0 = g * 4, height = Math.Min(4, n - i0);
            for (int j = i0; j < n; j++)
            {
                ReadOnlySpan<double> uj = u.AsSpan(j * n + j, n - j);
                if (height == 4)
                {
                    DoubleDot4.Compute(u.AsSpan(i0 * n + j, n - j), u.AsSpan((i0 + 1) * n + j, n - j),
                        u.AsSpan((i0 + 2) * n + j, n - j), u.AsSpan((i0 + 3) * n + j, n - j), uj, r);
                }
                else
                {
                    for (int c = 0; c < height; c++)
                        r[c] = TensorPrimitives.Dot<double>(u.AsSpan((i0 + c) * n + j, n - j), uj);
                }
                for (int c = 0; c < height; c++)
                {
                    int i = i0 + c;
                    if (j < i)
                        continue;
                    result[i * n + j] = r[c];
                    result[j * n + i] = r[c];
                }
            }
            return r;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// Left-looking Cholesky, four columns at a time: the 4 x 4 diagonal block is factored in place, then every
    /// row below it gets its four entries from one <see cref="DoubleDot4"/> pass over its prefix (rows in
    /// parallel), plus a 4 x 4 triangular fix-up. Same result as <see cref="Factor"/> up to rounding.
    /// </summary>
    internal static void FactorParallel(double[] a, int n, int maxDegreeOfParallelism = -1)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        // Below this many rows left, a parallel loop costs more than it saves.
        const int ParallelThreshold = 64;
        for (int j0 = 0; j0 < n; j0 += 4)
        {
            int width = Math.Min(4, n - j0);
            // Diagonal block rows, as in Factor.
            for (int r = j0; r < j0 + width; r++)
            {
                Span<double> row = a.AsSpan(r * n, n);
                for (int c = j0; c < r; c++)
                    row[c] = (row[c] - TensorPrimitives.Dot<double>(row[..c], a.AsSpan(c * n, c))) / a[c * n + c];
                double d = row[r] - TensorPrimitives.Dot<double>(row[..r], row[..r]);
                if (!(d > 0))
                    throw new ArithmeticException($"matrix is not positive definite (pivot {r} is {d})");
                row[r] = Math.Sqrt(d);
            }
            int first = j0 + width, rows = n - first;
            if (rows <= 0)
                break;
            int jj = j0;
            if (rows >= ParallelThreshold)
            {
                int chunks = Math.Min(32, rows / 16);
                Parallel.For(0, chunks, options, () => new double[4], (c, _, s) =>
                {
                    int start = first + (int)((long)rows * c / chunks);
                    int end = first + (int)((long)rows * (c + 1) / chunks);
                    for (int i = start; i < end; i++)
                        FactorRow(a, n, jj, width, i, s);
                    return s;
                }, _ => { });
            }
            else
            {
                var s = new double[4];
                for (int i = first; i < n; i++)
                    FactorRow(a, n, j0, width, i, s);
            }
        }
    }

    /// <summary>Row i's entries in block columns [j0, j0 + width): one 4-way dot over the prefix [0, j0), then the block's own terms.</summary>
    private static void FactorRow(double[] a, int n, int j0, int width, int i, double[] s)
    {
        ReadOnlySpan<double> prefix = a.AsSpan(i * n, j0);
        if (width == 4)
        {
            DoubleDot4.Compute(a.AsSpan(j0 * n, j0), a.AsSpan((j0 + 1) * n, j0), a.AsSpan((j0 + 2) * n, j0), a.AsSpan((j0 + 3) * n, j0), prefix, s);
        }
        else
        {
            for (int c = 0; c < width; c++)
                s[c] = TensorPrimitives.Dot<double>(a.AsSpan((j0 + c) * n, j0), prefix);
        }
        for (int c = 0; c < width; c++)
        {
            int col = j0 + c;
            double v = a[i * n + col] - s[c];
            for (int t = j0; t < col; t++)
                v -= a[i * n + t] * a[col * n + t];
            a[i * n + col] = v / a[col * n + col];
        }
    }
}
