using RecSys.Engine.Core.Index.Scan;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// Lloyd's k-means under squared L2, for the coarse quantizer (k = nlist) and the PQ codebooks (k = 256).
/// <code>
///   init      k-means++ (or k random points) from a seeded SplitMix64
///   repeat    assign:  every point to its nearest centroid      parallel over blocks of points
///                      dim >= 16: ExactScan (tiles of centroids, blocks of points), else PqKernels
///             update:  counting sort points by centroid, then    parallel over centroids,
///                      sum each cluster's members in point order (double), divide
///             repair:  an empty cluster takes half of the largest one (split, FAISS-style)
///   until     no point moved or Iterations reached
/// </code>
/// Determinism: every parallel step writes per-point or per-centroid results computed in a fixed order,
/// so the centroids depend on the data, k and the seed only, never on the thread count or scheduling.
/// </summary>
public static unsafe class KMeans
{
    private const int PointBlock = 32;
    private const float SplitEpsilon = 1f / 1024;

    public static KMeansResult Train(ReadOnlySpan<float> points, int dim, int k, KMeansOptions? options = null)
    {
        options ??= new KMeansOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (points.Length % dim != 0)
            throw new ArgumentException($"points holds {points.Length} floats, not a multiple of the dimension {dim}", nameof(points));
        int n = points.Length / dim;
        if (n < k)
            throw new ArgumentException($"k-means needs at least k = {k} training points; got {n}", nameof(points));
        int threads = options.MaxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : Math.Min(options.MaxDegreeOfParallelism, Environment.ProcessorCount);

        fixed (float* p = points)
        {
            var rng = new SplitMix64(options.Seed * 0x9E3779B97F4A7C15UL + 12345);
            var init = options.Init == KMeansInit.Auto
                ? ((long)n * k <= 1L << 22 ? KMeansInit.PlusPlus : KMeansInit.RandomSample)
                : options.Init;
            float[] centroids = init == KMeansInit.PlusPlus
                ? InitPlusPlus(p, n, dim, k, ref rng, threads)
                : InitRandom(p, n, dim, k, ref rng);

            var assign = new int[n];
            var dist = new float[n];
            Array.Fill(assign, -1);
            var counts = new int[k];
            var members = new int[n];
            var starts = new int[k + 1];
            int repaired = 0;
            int iterations = 0;
            for (int it = 0; it < Math.Max(1, options.Iterations); it++)
            {
                iterations++;
                bool moved = Assign(p, n, dim, centroids, k, assign, dist, threads);
                if (!moved)
                    break;
                Update(p, n, dim, centroids, k, assign, counts, members, starts, threads);
                repaired += RepairEmpty(centroids, dim, k, counts);
            }
            Assign(p, n, dim, centroids, k, assign, dist, threads);
            double sum = 0;
            for (int i = 0; i < n; i++)
                sum += dist[i];
            return new KMeansResult(centroids, k, dim, sum / n, iterations, repaired);
        }
    }

    /// <summary>Nearest centroid (squared L2, ties to the smaller index) of each point. Returns whether any point changed cluster.</summary>
    internal static bool Assign(float* points, int n, int dim, float[] centroids, int k, int[] assign, float[] dist, int threads)
    {
        int blocks = (n + PointBlock - 1) / PointBlock;
        int changed = 0;
        nint pAddr = (nint)points;
        float[]? transposed = null;
        long[]? rowIds = null;
        if (dim < 16)
        {
            transposed = new float[k * dim];
            PqKernels.Transpose(centroids, k, dim, transposed);
        }
        else
        {
            rowIds = new long[k];
            for (int c = 0; c < k; c++)
                rowIds[c] = c;
        }

        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => 0, (b, _, local) =>
        {
            int first = b * PointBlock;
            int count = Math.Min(PointBlock, n - first);
            float* block = (float*)pAddr + (long)first * dim;
            if (transposed is not null)
                local += AssignSmallDim(block, count, dim, transposed, k, assign.AsSpan(first, count), dist.AsSpan(first, count));
            else
                local += AssignExact(block, count, dim, centroids, k, rowIds!, assign.AsSpan(first, count), dist.AsSpan(first, count));
            return local;
        }, local => Interlocked.Add(ref changed, local));
        return changed > 0;
    }

    private static int AssignExact(float* block, int count, int dim, float[] centroids, int k, long[] rowIds, Span<int> assign, Span<float> dist)
    {
        long* ids = stackalloc long[PointBlock];
        float* keys = stackalloc float[PointBlock];
        fixed (float* c = centroids)
        fixed (long* r = rowIds)
        {
            ExactScan.Run<SquaredL2ScanMetric, NoRowFilter>(block, count, dim, c, dim, k, r, 1, ids, keys, default);
        }
        int changed = 0;
        for (int i = 0; i < count; i++)
        {
            int a = (int)ids[i];
            if (a != assign[i])
                changed++;
            assign[i] = a;
            dist[i] = keys[i];
        }
        return changed;
    }

    private static int AssignSmallDim(float* block, int count, int dim, float[] transposed, int k, Span<int> assign, Span<float> dist)
    {
        float[]? rented = k > 4096 ? new float[k] : null;
        Span<float> d = rented ?? stackalloc float[k];
        int changed = 0;
        fixed (float* t = transposed)
        fixed (float* dp = d)
        {
            for (int i = 0; i < count; i++)
            {
                PqKernels.SquaredL2Transposed(block + (long)i * dim, dim, t, k, dp);
                int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMin(d);
                if (best != assign[i])
                    changed++;
                assign[i] = best;
                dist[i] = d[best];
            }
        }
        return changed;
    }

    private static void Update(float* points, int n, int dim, float[] centroids, int k, int[] assign, int[] counts, int[] members, int[] starts, int threads)
    {
        Array.Clear(counts);
        for (int i = 0; i < n; i++)
            counts[assign[i]]++;
        starts[0] = 0;
        for (int c = 0; c < k; c++)
            starts[c + 1] = starts[c] + counts[c];
        var next = (int[])starts.Clone();
        for (int i = 0; i < n; i++)
            members[next[assign[i]]++] = i;

        nint pAddr = (nint)points;
        Parallel.For(0, k, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int size = counts[c];
            if (size == 0)
                return;
            Span<double> sum = dim <= 1024 ? stackalloc double[dim] : new double[dim];
            sum.Clear();
            float* basePtr = (float*)pAddr;
            for (int m = starts[c]; m < starts[c + 1]; m++)
            {
                float* x = basePtr + (long)members[m] * dim;
                for (int t = 0; t < dim; t++)
                    sum[t] += x[t];
            }
            var centroid = centroids.AsSpan(c * dim, dim);
            for (int t = 0; t < dim; t++)
                centroid[t] = (float)(sum[t] / size);
        });
    }

    /// <summary>
    /// Gives every empty cluster half of the currently largest one: the largest centroid is nudged
    /// apart into two (one x (1 + eps), one x (1 - eps) on alternating coordinates), so the next
    /// assignment splits its points between them. Deterministic: empties in index order, ties to the smaller index.
    /// </summary>
    private static int RepairEmpty(float[] centroids, int dim, int k, int[] counts)
    {
        int repaired = 0;
        for (int c = 0; c < k; c++)
        {
            if (counts[c] != 0)
                continue;
            int largest = 0;
            for (int j = 1; j < k; j++)
            {
                if (counts[j] > counts[largest])
                    largest = j;
            }
            if (counts[largest] < 2)
                break; // nothing left to split (fewer distinct points than clusters)
            var src = centroids.AsSpan(largest * dim, dim);
            var dst = centroids.AsSpan(c * dim, dim);
            for (int t = 0; t < dim; t++)
            {
                float v = src[t];
                // An exact zero would stay equal in both copies: nudge it by an absolute epsilon instead.
                float delta = v == 0 ? SplitEpsilon : v * SplitEpsilon;
                if ((t & 1) == 0)
                {
                    dst[t] = v + delta;
                    src[t] = v - delta;
                }
                else
                {
                    dst[t] = v - delta;
                    src[t] = v + delta;
                }
            }
            counts[c] = counts[largest] / 2;
            counts[largest] -= counts[c];
            repaired++;
        }
        return repaired;
    }

    private static float[] InitRandom(float* points, int n, int dim, int k, ref SplitMix64 rng)
    {
        // Partial Fisher-Yates over point indices: k distinct points.
        var index = new int[n];
        for (int i = 0; i < n; i++)
            index[i] = i;
        var centroids = new float[k * dim];
        for (int c = 0; c < k; c++)
        {
            int j = c + (int)(rng.Next() % (ulong)(n - c));
            (index[c], index[j]) = (index[j], index[c]);
            new ReadOnlySpan<float>(points + (long)index[c] * dim, dim).CopyTo(centroids.AsSpan(c * dim, dim));
        }
        return centroids;
    }

    private static float[] InitPlusPlus(float* points, int n, int dim, int k, ref SplitMix64 rng, int threads)
    {
        var centroids = new float[k * dim];
        var minDist = new float[n];
        int first = (int)(rng.Next() % (ulong)n);
        new ReadOnlySpan<float>(points + (long)first * dim, dim).CopyTo(centroids.AsSpan(0, dim));
        nint pAddr = (nint)points;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        const int Chunk = 4096;
        int chunks = (n + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, options, b => UpdateMinDist((float*)pAddr, n, dim, centroids, 0, minDist, b * Chunk, Chunk, initialise: true));

        for (int c = 1; c < k; c++)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
                total += minDist[i];
            int pick;
            if (total <= 0)
            {
                pick = (int)(rng.Next() % (ulong)n); // every point already sits on a centroid (duplicates)
            }
            else
            {
                double r = rng.NextDouble() * total;
                double acc = 0;
                pick = n - 1;
                for (int i = 0; i < n; i++)
                {
                    acc += minDist[i];
                    if (acc > r && minDist[i] > 0)
                    {
                        pick = i;
                        break;
                    }
                }
            }
            new ReadOnlySpan<float>(points + (long)pick * dim, dim).CopyTo(centroids.AsSpan(c * dim, dim));
            int cc = c;
            Parallel.For(0, chunks, options, b => UpdateMinDist((float*)pAddr, n, dim, centroids, cc, minDist, b * Chunk, Chunk, initialise: false));
        }
        return centroids;
    }

    private static void UpdateMinDist(float* points, int n, int dim, float[] centroids, int c, float[] minDist, int start, int chunk, bool initialise)
    {
        var centroid = new ReadOnlySpan<float>(centroids, c * dim, dim);
        int end = Math.Min(n, start + chunk);
        for (int i = start; i < end; i++)
        {
            float d = SquaredL2.Compute(new ReadOnlySpan<float>(points + (long)i * dim, dim), centroid);
            if (initialise || d < minDist[i])
                minDist[i] = d;
        }
    }
}
