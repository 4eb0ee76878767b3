using System.Numerics.Tensors;

namespace RecSys.Engine.Models.LinearAlgebra;

/// <summary>
/// In-place inverse of a symmetric positive definite matrix, LAPACK dpotrf + dpotri in shape, with nearly
/// all of the n^3 flops in <see cref="PackedGemm"/> products (cache-blocked, packed, 6 x 8 FMA micro-kernel,
/// parallel):
/// <code>
///   1. A = L L^T     right-looking, blocks of NB columns: factor the NB x NB diagonal block (unblocked),
///                    panel := panel inv(L_jj)^T (one product), trailing lower -= panel panel^T (SYRK)
///   2. L := L^-1     blocks from the bottom: panel := -(L^-1 of the trailing part) panel inv(L_jj)
///   3. A^-1 = L^-T L^-1   block rows from the top: lower(A[0:e, 0:e]) += S^T S with S = row block of L^-1
///   4. mirror the lower triangle into the upper one
/// </code>
/// Each step costs n^3 / 3 flops (n^3 in all, counting a multiply-add as two). The matrix is overwritten;
/// the only other memory is one n x NB scratch panel (40 MB at n = 20,000) and the packing buffers (2 MB
/// shared + 384 KB per thread), so the peak is n^2 doubles plus about 45 MB. Diagonal blocks use small
/// unblocked routines (O(n NB^2) flops, a few per cent at n = 1,682 and under one per cent at 20,000).
/// The result is the same for any thread count; it differs from <see cref="DenseCholesky.InvertSpd"/> (the
/// reference) only by rounding.
/// </summary>
public static unsafe class BlockedSpdInverse
{
    /// <summary>Columns per block of the factorisation (= the inner dimension of the trailing updates, KC).</summary>
    public const int BlockSize = PackedGemm.KC;

    /// <summary>
    /// Replaces the SPD matrix <paramref name="a"/> (row-major n x n; only the lower triangle is read) by its
    /// inverse, full and symmetric. Throws <see cref="ArithmeticException"/> when A is not positive definite.
    /// </summary>
    public static void InvertInPlace(double[] a, int n, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (a.LongLength < (long)n * n)
            throw new ArgumentException($"matrix needs {(long)n * n} values, got {a.LongLength}", nameof(a));
        if (n == 0)
            return;
        int nb = BlockSize;
        var workspace = new GemmWorkspace();
        double[] scratch = GC.AllocateUninitializedArray<double>((int)Math.Min((long)n * nb, (long)n * n), pinned: true);
        double[] small = GC.AllocateUninitializedArray<double>(nb * nb, pinned: true);
        fixed (double* pa = a)
        fixed (double* ps = scratch)
        fixed (double* pt = small)
        {
            Factor(pa, n, ps, pt, workspace, maxDegreeOfParallelism);
            ClearUpper(pa, n, maxDegreeOfParallelism);
            InvertLower(pa, n, ps, workspace, maxDegreeOfParallelism);
            LowerTransposeTimesLower(pa, n, ps, workspace, maxDegreeOfParallelism);
            MirrorLower(pa, n, maxDegreeOfParallelism);
        }
    }

    /// <summary>The inverse as a new array (the input is left as it is): one copy of A plus <see cref="InvertInPlace"/>.</summary>
    public static double[] Invert(ReadOnlySpan<double> a, int n, int maxDegreeOfParallelism = -1)
    {
        double[] result = a[..checked(n * n)].ToArray();
        InvertInPlace(result, n, maxDegreeOfParallelism);
        return result;
    }

    /// <summary>Blocked right-looking Cholesky: the lower triangle becomes L (the upper one is left undefined).</summary>
    private static void Factor(double* a, int n, double* scratch, double* small, GemmWorkspace ws, int threads)
    {
        int nb = BlockSize;
        for (int j = 0; j < n; j += nb)
        {
            int jb = Math.Min(nb, n - j);
            double* ajj = a + (nint)j * n + j;
            FactorBlock(ajj, n, jb, j);
            int m = n - j - jb;
            if (m == 0)
                break;
            // inv(L_jj) with zeros above its diagonal, so it can be used as a dense operand.
            for (int r = 0; r < jb; r++)
            {
                new ReadOnlySpan<double>(ajj + (nint)r * n, r + 1).CopyTo(new Span<double>(small + r * jb, r + 1));
                new Span<double>(small + r * jb + r + 1, jb - r - 1).Clear();
            }
            InvertLowerBlock(small, jb, jb);
            // panel := panel L_jj^-T (the TRSM as a product against the explicit inverse of the small block).
            double* panel = a + (nint)(j + jb) * n + j;
            for (int r = 0; r < m; r++)
                new ReadOnlySpan<double>(panel + (nint)r * n, jb).CopyTo(new Span<double>(scratch + (nint)r * jb, jb));
            PackedGemm.Multiply(m, jb, jb, 1.0, scratch, jb, small, jb, panel, n, GemmOptions.TransposeB, ws, threads);
            // trailing lower -= panel panel^T.
            double* trailing = a + (nint)(j + jb) * n + j + jb;
            PackedGemm.Multiply(m, m, jb, -1.0, panel, n, panel, n, trailing, n,
                GemmOptions.TransposeB | GemmOptions.Accumulate | GemmOptions.LowerC, ws, threads);
        }
    }

    /// <summary>Blocked in-place inverse of the lower-triangular L (zeros above the diagonal stay zero).</summary>
    private static void InvertLower(double* a, int n, double* scratch, GemmWorkspace ws, int threads)
    {
        int nb = BlockSize;
        for (int j = (n - 1) / nb * nb; j >= 0; j -= nb)
        {
            int jb = Math.Min(nb, n - j);
            int m = n - j - jb;
            double* ajj = a + (nint)j * n + j;
            if (m > 0)
            {
                // S := inv(L)[trailing] L[trailing, block] (trailing part already inverted, lower triangular).
                double* trailing = a + (nint)(j + jb) * n + j + jb;
                double* panel = a + (nint)(j + jb) * n + j;
                PackedGemm.Multiply(m, jb, m, 1.0, trailing, n, panel, n, scratch, jb, GemmOptions.LowerTriangularA, ws, threads);
                InvertLowerBlock(ajj, n, jb);
                // panel := -S inv(L_jj).
                PackedGemm.Multiply(m, jb, jb, -1.0, scratch, jb, ajj, n, panel, n, GemmOptions.None, ws, threads);
            }
            else
            {
                InvertLowerBlock(ajj, n, jb);
            }
        }
    }

    /// <summary>
    /// Lower triangle of X^T X in place, X lower triangular (LAPACK dlauum, reorganised so that every step is
    /// one SYRK with many rows): for each block row K of X, from the top, take S = X[K, 0:e] out (e = end of
    /// K), clear it, then lower(R[0:e, 0:e]) += S^T S. Row blocks below K are still X when they are read.
    /// </summary>
    private static void LowerTransposeTimesLower(double* a, int n, double* scratch, GemmWorkspace ws, int threads)
    {
        int nb = BlockSize;
        for (int kb = 0; kb < n; kb += nb)
        {
            int ib = Math.Min(nb, n - kb);
            int end = kb + ib;
            for (int r = 0; r < ib; r++)
            {
                var row = new Span<double>(a + (nint)(kb + r) * n, end);
                row.CopyTo(new Span<double>(scratch + (nint)r * end, end));
                row.Clear();
            }
            PackedGemm.Multiply(end, end, ib, 1.0, scratch, end, scratch, end, a, n,
                GemmOptions.TransposeA | GemmOptions.Accumulate | GemmOptions.LowerC, ws, threads);
        }
    }

    /// <summary>Unblocked Cholesky of one diagonal block (row-major, leading dimension lda); pivots are reported by global index.</summary>
    private static void FactorBlock(double* a, nint lda, int nb, int offset)
    {
        for (int i = 0; i < nb; i++)
        {
            var rowI = new Span<double>(a + i * lda, i + 1);
            for (int j = 0; j < i; j++)
            {
                var rowJ = new ReadOnlySpan<double>(a + j * lda, j);
                rowI[j] = (rowI[j] - TensorPrimitives.Dot(rowI[..j], rowJ)) / a[j * lda + j];
            }
            double d = rowI[i] - TensorPrimitives.Dot<double>(rowI[..i], rowI[..i]);
            if (!(d > 0))
                throw new ArithmeticException($"matrix is not positive definite (pivot {offset + i} is {d})");
            rowI[i] = Math.Sqrt(d);
        }
    }

    /// <summary>
    /// Unblocked in-place inverse of one lower-triangular block, row by row: row i of X = L^-1 is
    /// -(1 / L_ii) sum_{k &lt; i} L_ik X[k, 0..k], plus X_ii = 1 / L_ii; L's row i is saved first because X's
    /// row i overwrites it. Rows are axpys over contiguous memory.
    /// </summary>
    private static void InvertLowerBlock(double* a, nint lda, int nb)
    {
        Span<double> saved = stackalloc double[nb];
        for (int i = 0; i < nb; i++)
        {
            var row = new Span<double>(a + i * lda, i + 1);
            row.CopyTo(saved);
            double inv = 1.0 / saved[i];
            row.Clear();
            for (int k = 0; k < i; k++)
            {
                var xk = new ReadOnlySpan<double>(a + k * lda, k + 1);
                TensorPrimitives.MultiplyAdd(xk, saved[k], row[..(k + 1)], row[..(k + 1)]);
            }
            TensorPrimitives.Multiply(row[..i], -inv, row[..i]);
            row[i] = inv;
        }
    }

    private static void ClearUpper(double* a, int n, int threads)
    {
        nint addr = (nint)a;
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
            new Span<double>((double*)addr + (nint)i * n + i + 1, n - i - 1).Clear());
    }

    /// <summary>upper[i, j] = lower[j, i], in 64 x 64 tiles so both the reads and the writes stay in cache lines.</summary>
    private static void MirrorLower(double* a, int n, int threads)
    {
        const int T = 64;
        int tiles = (n + T - 1) / T;
        nint addr = (nint)a;
        Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = threads }, bi =>
        {
            double* p = (double*)addr;
            int i0 = bi * T, i1 = Math.Min(n, i0 + T);
            for (int j0 = i0; j0 < n; j0 += T)
            {
                int j1 = Math.Min(n, j0 + T);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = Math.Max(j0, i + 1); j < j1; j++)
                        p[(nint)i * n + j] = p[(nint)j * n + i];
                }
            }
        });
    }
}
