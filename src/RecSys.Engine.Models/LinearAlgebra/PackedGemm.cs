using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Models.LinearAlgebra;

/// <summary>
/// Dense double matrix product C (+)= alpha op(A) op(B), row-major, in the GotoBLAS / BLIS shape:
/// <code>
///   for jc (NC columns of C)                 B panel kc x nc packed once, shared  (L3: 2 MB)
///     for pc (KC of the inner dimension)
///       parallel for ic (MC rows of C)       A block mc x kc packed per worker   (L2: 384 KB of 512)
///         for jr (8 columns)                 B micro-panel kc x 8                (L1: 16 KB)
///           for ir (6 rows)                  6 x 8 micro-kernel, 12 ymm accumulators
/// </code>
/// Packing turns every operand layout (plain or transposed) into the two contiguous streams the
/// micro-kernel reads, pads ragged edges with zeros (edge tiles go through a 6 x 8 scratch tile), and
/// makes each element of A and B travel from memory once per block instead of once per dot product.
/// Each C element is summed in a fixed order (pc ascending, p ascending), whatever the thread count, so
/// the result is the same on 1 thread and on all cores. The triangle flags (<see cref="GemmOptions"/>)
/// skip the blocks the Cholesky, triangular-inverse and L^T L steps do not need.
/// MC and NC were picked by a sweep of C = A B at n = 2,000 (MC 48-288 x NC 512-4096, bench/results/ease-scale.md):
/// NC = 4096 (an 8 MB B panel) was slower than 1024 on this VM; the MC choices differed by less than the noise.
/// </summary>
internal static unsafe class PackedGemm
{
    public const int MR = GemmKernel.MR;
    public const int NR = GemmKernel.NR;
    public const int MC = 192;
    public const int KC = 256;
    public const int NC = 1024;

    /// <summary>Per-thread packed A block (MC x KC), pinned so its address can be handed to the kernel.</summary>
    [ThreadStatic]
    private static double[]? t_packA;

    /// <summary>
    /// C (m x n, leading dimension ldc) = [C +] alpha op(A) op(B) with op(A) m x k and op(B) k x n. The
    /// workspace holds the shared packed B panel; it is reused across calls (not thread-safe itself).
    /// </summary>
    public static void Multiply(int m, int n, int k, double alpha, double* a, nint lda, double* b, nint ldb,
        double* c, nint ldc, GemmOptions options, GemmWorkspace workspace, int maxDegreeOfParallelism)
    {
        if (m <= 0 || n <= 0)
            return;
        bool transA = (options & GemmOptions.TransposeA) != 0;
        bool transB = (options & GemmOptions.TransposeB) != 0;
        bool accumulate = (options & GemmOptions.Accumulate) != 0;
        bool lowerA = (options & GemmOptions.LowerTriangularA) != 0;
        bool lowerC = (options & GemmOptions.LowerC) != 0;
        if (k <= 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                    new Span<double>(c + i * ldc, n).Clear();
            }
            return;
        }
        int threads = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads };
        double* packB = workspace.PackB(Math.Min(NC, RoundUp(n, NR)) * KC);
        nint aAddr = (nint)a, bAddr = (nint)b, cAddr = (nint)c, packBAddr = (nint)packB;

        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            // Rows of C that hold anything of the lower triangle in these columns start at row jc.
            int icFirstC = lowerC ? jc / MC * MC : 0;
            if (icFirstC >= m)
                break;
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool acc = accumulate || pc > 0;
                // A lower triangular: rows above pc meet only zeros in this k-block.
                int icFirst = lowerA ? Math.Max(icFirstC, pc / MC * MC) : icFirstC;
                if (icFirst >= m)
                    continue;
                int icBlocks = (m - icFirst + MC - 1) / MC;
                int panels = (nc + NR - 1) / NR;

                int jcc = jc, pcc = pc;
                if (kc * nc >= 64 * 1024 && threads > 1)
                {
                    int chunks = Math.Min(panels, threads * 4);
                    Parallel.For(0, chunks, parallel, t =>
                    {
                        int p0 = (int)((long)panels * t / chunks), p1 = (int)((long)panels * (t + 1) / chunks);
                        PackB((double*)bAddr, ldb, transB, pcc, jcc, kc, nc, p0, p1, (double*)packBAddr);
                    });
                }
                else
                {
                    PackB(b, ldb, transB, pc, jc, kc, nc, 0, panels, packB);
                }

                // Few row blocks (a wide, short C): split the columns too so every core has work; the
                // A block is then packed once per column chunk, a cost of 1/(column chunk) of the work.
                int jChunks = icBlocks >= 4 * threads || threads == 1 ? 1 : Math.Min(panels, (4 * threads + icBlocks - 1) / icBlocks);
                int tasks = icBlocks * jChunks;
                if (tasks == 1)
                {
                    RunTask(0, 1, icFirst, m, kc, nc, panels, jc, pc, alpha, acc, lowerC, aAddr, lda, transA, packBAddr, cAddr, ldc);
                }
                else
                {
                    Parallel.For(0, tasks, parallel, t =>
                        RunTask(t, jChunks, icFirst, m, kc, nc, panels, jcc, pcc, alpha, acc, lowerC, aAddr, lda, transA, packBAddr, cAddr, ldc));
                }
            }
        }
    }

    private static void RunTask(int task, int jChunks, int icFirst, int m, int kc, int nc, int panels, int jc, int pc,
        double alpha, bool accumulate, bool lowerC, nint aAddr, nint lda, bool transA, nint packBAddr, nint cAddr, nint ldc)
    {
        int ic = icFirst + task / jChunks * MC;
        int chunk = task % jChunks;
        int mc = Math.Min(MC, m - ic);
        int p0 = (int)((long)panels * chunk / jChunks), p1 = (int)((long)panels * (chunk + 1) / jChunks);
        if (lowerC)
        {
            // Column panels that start right of this block's last row hold only upper-triangle tiles.
            int lastPanel = (ic + mc - 1 - jc) / NR + 1;
            if (ic + mc - 1 < jc)
                return;
            p1 = Math.Min(p1, lastPanel);
        }
        if (p0 >= p1)
            return;
        double[] buffer = t_packA ??= GC.AllocateUninitializedArray<double>(MC * KC, pinned: true);
        double* packA = (double*)Unsafe.AsPointer(ref buffer[0]);
        PackA((double*)aAddr, lda, transA, ic, pc, mc, kc, packA);
        double* packB = (double*)packBAddr;
        double* c = (double*)cAddr;
        double* edge = stackalloc double[MR * NR];
        for (int jp = p0; jp < p1; jp++)
        {
            int jr = jp * NR;
            int nr = Math.Min(NR, nc - jr);
            double* bPanel = packB + (nint)jp * NR * kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int row = ic + ir;
                int col = jc + jr;
                if (lowerC && row + MR - 1 < col)
                    continue;
                int mr = Math.Min(MR, mc - ir);
                double* aPanel = packA + (nint)ir * kc;
                double* cTile = c + row * ldc + col;
                if (mr == MR && nr == NR)
                {
                    GemmKernel.Compute(kc, aPanel, bPanel, cTile, ldc, alpha, accumulate);
                    continue;
                }
                GemmKernel.Compute(kc, aPanel, bPanel, edge, NR, 1.0, accumulate: false);
                for (int r = 0; r < mr; r++)
                {
                    for (int j = 0; j < nr; j++)
                    {
                        double v = alpha * edge[r * NR + j];
                        cTile[r * ldc + j] = accumulate ? cTile[r * ldc + j] + v : v;
                    }
                }
            }
        }
    }

    /// <summary>op(A)[ic.., pc..] (mc x kc) as ceil(mc / 6) panels, each kc x 6 (p-major), zero-padded to 6 rows.</summary>
    private static void PackA(double* a, nint lda, bool trans, int ic, int pc, int mc, int kc, double* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            if (trans)
            {
                // op(A)[i, p] = a[p, i]: the 6 values of one p are adjacent.
                double* src = a + (nint)pc * lda + ic + ir;
                for (int p = 0; p < kc; p++, src += lda)
                {
                    double* d = dst + p * MR;
                    int r = 0;
                    for (; r < rows; r++)
                        d[r] = src[r];
                    for (; r < MR; r++)
                        d[r] = 0;
                }
            }
            else
            {
                for (int r = 0; r < MR; r++)
                {
                    if (r < rows)
                    {
                        double* src = a + (nint)(ic + ir + r) * lda + pc;
                        for (int p = 0; p < kc; p++)
                            dst[p * MR + r] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                            dst[p * MR + r] = 0;
                    }
                }
            }
            dst += (nint)MR * kc;
        }
    }

    /// <summary>Column panels [p0, p1) of op(B)[pc.., jc..] (kc x nc), each kc x 8 (p-major), zero-padded to 8 columns.</summary>
    private static void PackB(double* b, nint ldb, bool trans, int pc, int jc, int kc, int nc, int p0, int p1, double* packB)
    {
        for (int jp = p0; jp < p1; jp++)
        {
            int jr = jp * NR;
            int cols = Math.Min(NR, nc - jr);
            double* dst = packB + (nint)jp * NR * kc;
            if (trans)
            {
                // op(B)[p, j] = b[j, p]: each column of the panel is a contiguous run of b.
                for (int j = 0; j < NR; j++)
                {
                    if (j < cols)
                    {
                        double* src = b + (nint)(jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++)
                            dst[p * NR + j] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++)
                            dst[p * NR + j] = 0;
                    }
                }
            }
            else
            {
                double* src = b + (nint)pc * ldb + jc + jr;
                for (int p = 0; p < kc; p++, src += ldb)
                {
                    double* d = dst + p * NR;
                    if (cols == NR && Vector256.IsHardwareAccelerated)
                    {
                        Vector256.Load(src).Store(d);
                        Vector256.Load(src + 4).Store(d + 4);
                        continue;
                    }
                    int j = 0;
                    for (; j < cols; j++)
                        d[j] = src[j];
                    for (; j < NR; j++)
                        d[j] = 0;
                }
            }
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
