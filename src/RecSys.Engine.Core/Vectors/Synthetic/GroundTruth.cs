using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Core.Vectors.Synthetic;

/// <summary>
/// Exact k-nearest-neighbour ground truth by blocked brute force, as datasets/SYNTHETIC.md
/// defines it: cosine = inner product on normalised vectors (largest first), inner product =
/// largest dot first, L2 = smallest squared Euclidean distance first; ties go to the smaller id.
/// <code>
///   work item = (block of queries) x (chunk of base rows), spread over all cores
///     for each base tile (fits in L2):  widen tile to double
///       dots[q][b] = 4x2 register-blocked Vector256 dot products
///       per query: bounded top-k max-heap keyed by (distance, id)
///   merge the chunks' heaps per query, sort by (distance, id)
/// </code>
/// Scores are computed in double from float inputs: a product of two floats is exact in
/// double, so a fused or unfused multiply-add gives the same bits, the result does not depend
/// on the CPU, and the ranking is that of the true real-valued scores to within ~1e-16
/// relative, far below float32's own resolution. (FlatIndex, which scores in float for speed,
/// may order near-ties differently; this class is the reference the files are built from.)
/// </summary>
public static class GroundTruth
{
    // A query block of ~256 KiB of doubles and a base tile of ~128 KiB keep both in L2 while
    // each widened base tile is reused by every query of the block.
    private const int QueryBlockBytes = 256 * 1024;
    private const int TileBytes = 128 * 1024;
    private const int MaxQueryBlock = 64;

    // Do not split the base finer than this many rows per work item (heap merge overhead).
    private const int MinRowsPerChunk = 4096;

    /// <summary>
    /// Exact top-<paramref name="k"/> base ids for each query, row-major (nq x k), best first.
    /// </summary>
    /// <param name="baseRows">n x dim floats, row-major (raw; cosine normalises a private copy).</param>
    /// <param name="queryRows">nq x dim floats, row-major.</param>
    /// <param name="progress">Fraction of (query, base row) pairs scored, 0..1; called from worker threads.</param>
    public static int[] Compute(float[] baseRows, int n, float[] queryRows, int nq, int dim, DistanceMetric metric, int k,
        IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(baseRows);
        ArgumentNullException.ThrowIfNull(queryRows);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nq, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        if (k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..n (n = {n})");
        if ((long)n * dim > baseRows.Length)
            throw new ArgumentException($"baseRows holds {baseRows.Length} floats, fewer than n x dim = {(long)n * dim}", nameof(baseRows));
        if ((long)nq * dim > queryRows.Length)
            throw new ArgumentException($"queryRows holds {queryRows.Length} floats, fewer than nq x dim = {(long)nq * dim}", nameof(queryRows));
        if (metric is not (DistanceMetric.L2 or DistanceMetric.InnerProduct or DistanceMetric.Cosine))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown metric");
        if ((long)nq * k > Array.MaxLength)
            throw new ArgumentException($"nq x k = {(long)nq * k} ids do not fit in one array");

        // Distance = bias[b] - 2^s * dot(q, b): for L2 bias is |b|^2 and the factor 2 (|q|^2 is
        // the same for every b of a query, so it cannot change the order); for the dot metrics
        // bias is 0 and the factor 1, so the largest dot is the smallest distance.
        bool cosine = metric == DistanceMetric.Cosine;
        bool l2 = metric == DistanceMetric.L2;
        double[] bias = new double[n];
        float[] b = cosine ? new float[(long)n * dim] : baseRows;
        float[] q = cosine ? new float[(long)nq * dim] : queryRows;
        Prepare(baseRows, b, n, dim, cosine, l2 ? bias : null, nameof(baseRows));
        Prepare(queryRows, q, nq, dim, cosine, null, nameof(queryRows));
        double dotFactor = l2 ? 2.0 : 1.0;

        var qd = new double[(long)nq * dim];
        for (long i = 0; i < qd.Length; i++)
            qd[i] = q[i];

        int queryBlock = Math.Clamp(QueryBlockBytes / (dim * sizeof(double)), 4, MaxQueryBlock);
        int tileRows = Math.Max(4, TileBytes / (dim * sizeof(double)));
        int queryBlocks = (nq + queryBlock - 1) / queryBlock;
        // Split the base only when there are too few query blocks to keep every core busy.
        int wanted = (2 * Environment.ProcessorCount + queryBlocks - 1) / queryBlocks;
        int chunks = Math.Clamp(wanted, 1, Math.Max(1, n / MinRowsPerChunk));
        int chunkRows = (n + chunks - 1) / chunks;
        chunks = (n + chunkRows - 1) / chunkRows;

        // One bounded heap per (chunk, query): k entries in the chunk's array, its count beside it.
        var heaps = new Entry[chunks][];
        var heapCount = new int[chunks][];
        for (int c = 0; c < chunks; c++)
        {
            heaps[c] = new Entry[(long)nq * k];
            heapCount[c] = new int[nq];
        }

        var tracker = new ProgressTracker(progress, (long)n * nq);
        Parallel.For(0, queryBlocks * chunks,
            () => new Scratch(tileRows * dim, queryBlock * tileRows),
            (item, _, scratch) =>
            {
                int qb = item / chunks, c = item % chunks;
                int q0 = qb * queryBlock, qCount = Math.Min(queryBlock, nq - q0);
                int b0 = c * chunkRows, bEnd = Math.Min(n, b0 + chunkRows);
                ReadOnlySpan<double> queries = qd.AsSpan(q0 * dim, qCount * dim);
                for (int t0 = b0; t0 < bEnd; t0 += tileRows)
                {
                    int bCount = Math.Min(tileRows, bEnd - t0);
                    Span<double> tile = scratch.Tile.AsSpan(0, bCount * dim);
                    ReadOnlySpan<float> src = b.AsSpan(t0 * dim, bCount * dim);
                    for (int i = 0; i < tile.Length; i++)
                        tile[i] = src[i];
                    Span<double> dots = scratch.Dots.AsSpan(0, qCount * bCount);
                    ScoreTile(queries, qCount, tile, bCount, dim, dots);
                    for (int qi = 0; qi < qCount; qi++)
                    {
                        int query = q0 + qi;
                        Offer(heaps[c].AsSpan(query * k, k), ref heapCount[c][query],
                            dots.Slice(qi * bCount, bCount), bias.AsSpan(t0, bCount), dotFactor, t0);
                    }
                    tracker.Add((long)qCount * bCount);
                }
                return scratch;
            },
            _ => { });

        var result = new int[nq * k];
        var merged = new Entry[chunks * k];
        for (int query = 0; query < nq; query++)
        {
            int m = 0;
            for (int c = 0; c < chunks; c++)
            {
                int count = heapCount[c][query];
                heaps[c].AsSpan(query * k, count).CopyTo(merged.AsSpan(m));
                m += count;
            }
            Span<Entry> all = merged.AsSpan(0, m);
            all.Sort(static (x, y) => x.CompareTo(y));
            for (int i = 0; i < k; i++)
                result[query * k + i] = all[i].Id;
        }
        tracker.Finish();
        return result;
    }

    /// <summary>Checks every row is finite, copies (normalised, for cosine) and, for L2, computes |row|^2.</summary>
    private static void Prepare(float[] source, float[] destination, int rows, int dim, bool normalise, double[]? squaredNorms, string name)
    {
        // Remember the first bad row rather than throwing inside the loop, so the caller gets a
        // plain ArgumentException naming it, not an AggregateException from Parallel.For.
        int firstBadRow = int.MaxValue;
        Parallel.For(0, (rows + MinRowsPerChunk - 1) / MinRowsPerChunk, chunk =>
        {
            int end = Math.Min(rows, (chunk + 1) * MinRowsPerChunk);
            for (int r = chunk * MinRowsPerChunk; r < end; r++)
            {
                ReadOnlySpan<float> row = source.AsSpan(r * dim, dim);
                double sum = 0;
                foreach (float v in row)
                    sum += (double)v * v;
                // Squares of finite floats cannot overflow a double sum, so this catches exactly NaN and infinity.
                if (!double.IsFinite(sum))
                {
                    InterlockedMin(ref firstBadRow, r);
                    return;
                }
                if (squaredNorms is not null)
                    squaredNorms[r] = sum;
                if (normalise)
                {
                    Span<float> dst = destination.AsSpan(r * dim, dim);
                    row.CopyTo(dst);
                    SyntheticVectorGenerator.Normalize(dst);
                }
            }
        });
        if (firstBadRow != int.MaxValue)
            throw new ArgumentException($"{name}: row {firstBadRow} holds a non-finite value", name);
    }

    private static void InterlockedMin(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value < current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
                return;
            current = seen;
        }
    }

    /// <summary>Offers one tile's candidates to one query's bounded heap (root = worst kept).</summary>
    private static void Offer(Span<Entry> heap, ref int count, ReadOnlySpan<double> dots, ReadOnlySpan<double> bias, double dotFactor, int firstId)
    {
        var slots = new EntrySlots<Entry>(heap);
        int k = heap.Length;
        int size = count;
        for (int i = 0; i < dots.Length; i++)
            BinaryHeap<Entry, WorstFirst>.Offer(slots, ref size, k, new Entry(bias[i] - dotFactor * dots[i], firstId + i));
        count = size;
    }

    /// <summary>dots[qi * bCount + bi] = dot(query qi, tile row bi), every pair summed in the same order.</summary>
    private static void ScoreTile(ReadOnlySpan<double> queries, int qCount, ReadOnlySpan<double> tile, int bCount, int dim, Span<double> dots)
    {
        ref double q = ref MemoryMarshal.GetReference(queries);
        ref double t = ref MemoryMarshal.GetReference(tile);
        int qi = 0;
        for (; qi + 4 <= qCount; qi += 4)
        {
            int bi = 0;
            for (; bi + 2 <= bCount; bi += 2)
                Dot4x2(ref Unsafe.Add(ref q, qi * dim), ref Unsafe.Add(ref t, bi * dim), dim, dots, qi * bCount + bi, bCount);
            for (; bi < bCount; bi++)
                for (int r = 0; r < 4; r++)
                    dots[(qi + r) * bCount + bi] = Dot(ref Unsafe.Add(ref q, (qi + r) * dim), ref Unsafe.Add(ref t, bi * dim), dim);
        }
        for (; qi < qCount; qi++)
            for (int bi = 0; bi < bCount; bi++)
                dots[qi * bCount + bi] = Dot(ref Unsafe.Add(ref q, qi * dim), ref Unsafe.Add(ref t, bi * dim), dim);
    }

    /// <summary>
    /// Eight dot products at once (4 queries x 2 base rows): each base load feeds four
    /// multiply-adds and each query load two, so the loop is bound by arithmetic, not loads.
    /// </summary>
    private static void Dot4x2(ref double q, ref double b, int dim, Span<double> dots, int at, int stride)
    {
        ref double q1 = ref Unsafe.Add(ref q, dim), q2 = ref Unsafe.Add(ref q, 2 * dim), q3 = ref Unsafe.Add(ref q, 3 * dim);
        ref double b1 = ref Unsafe.Add(ref b, dim);
        Vector256<double> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector256<double> a20 = default, a21 = default, a30 = default, a31 = default;
        int j = 0;
        for (; j + 4 <= dim; j += 4)
        {
            var x0 = Vector256.LoadUnsafe(ref b, (nuint)j);
            var x1 = Vector256.LoadUnsafe(ref b1, (nuint)j);
            var y = Vector256.LoadUnsafe(ref q, (nuint)j);
            a00 = Vector256.MultiplyAddEstimate(y, x0, a00);
            a01 = Vector256.MultiplyAddEstimate(y, x1, a01);
            y = Vector256.LoadUnsafe(ref q1, (nuint)j);
            a10 = Vector256.MultiplyAddEstimate(y, x0, a10);
            a11 = Vector256.MultiplyAddEstimate(y, x1, a11);
            y = Vector256.LoadUnsafe(ref q2, (nuint)j);
            a20 = Vector256.MultiplyAddEstimate(y, x0, a20);
            a21 = Vector256.MultiplyAddEstimate(y, x1, a21);
            y = Vector256.LoadUnsafe(ref q3, (nuint)j);
            a30 = Vector256.MultiplyAddEstimate(y, x0, a30);
            a31 = Vector256.MultiplyAddEstimate(y, x1, a31);
        }
        dots[at] = Finish(a00, ref q, ref b, j, dim);
        dots[at + 1] = Finish(a01, ref q, ref b1, j, dim);
        dots[at + stride] = Finish(a10, ref q1, ref b, j, dim);
        dots[at + stride + 1] = Finish(a11, ref q1, ref b1, j, dim);
        dots[at + 2 * stride] = Finish(a20, ref q2, ref b, j, dim);
        dots[at + 2 * stride + 1] = Finish(a21, ref q2, ref b1, j, dim);
        dots[at + 3 * stride] = Finish(a30, ref q3, ref b, j, dim);
        dots[at + 3 * stride + 1] = Finish(a31, ref q3, ref b1, j, dim);
    }

    /// <summary>One dot product with exactly the summation order of <see cref="Dot4x2"/>, for the block edges.</summary>
    private static double Dot(ref double q, ref double b, int dim)
    {
        Vector256<double> acc = default;
        int j = 0;
        for (; j + 4 <= dim; j += 4)
            acc = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref q, (nuint)j), Vector256.LoadUnsafe(ref b, (nuint)j), acc);
        return Finish(acc, ref q, ref b, j, dim);
    }

    /// <summary>Lane sum in a fixed order, then the scalar tail: the same bits whatever the blocking.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Finish(Vector256<double> acc, ref double q, ref double b, int from, int dim)
    {
        double s = (acc.GetElement(0) + acc.GetElement(1)) + (acc.GetElement(2) + acc.GetElement(3));
        for (int j = from; j < dim; j++)
            s += Unsafe.Add(ref q, j) * Unsafe.Add(ref b, j);
        return s;
    }

    private readonly record struct Entry(double Distance, int Id) : IComparable<Entry>
    {
        public int CompareTo(Entry other)
        {
            int c = Distance.CompareTo(other.Distance);
            return c != 0 ? c : Id.CompareTo(other.Id);
        }
    }

    /// <summary>The worst entry first: larger distance, or equal distance and larger id.</summary>
    private readonly struct WorstFirst : IHeapOrder<Entry>
    {
        public static bool Precedes(in Entry a, in Entry b) => a.Distance > b.Distance || (a.Distance == b.Distance && a.Id > b.Id);
    }

    private sealed class Scratch(int tileLength, int dotsLength)
    {
        public readonly double[] Tile = new double[tileLength];
        public readonly double[] Dots = new double[dotsLength];
    }

    /// <summary>Reports at most once per 0.1 %, from whichever worker crosses the step.</summary>
    private sealed class ProgressTracker(IProgress<double>? progress, long total)
    {
        private long _done;
        private int _lastPermille;

        public void Add(long work)
        {
            if (progress is null)
                return;
            long done = Interlocked.Add(ref _done, work);
            int permille = (int)(done * 1000 / total);
            int last = Volatile.Read(ref _lastPermille);
            if (permille > last && permille < 1000 && Interlocked.CompareExchange(ref _lastPermille, permille, last) == last)
                progress.Report(permille / 1000.0);
        }

        public void Finish() => progress?.Report(1.0);
    }
}
