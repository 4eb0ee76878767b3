using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Core.Index.IvfPq;

public sealed unsafe partial class IvfPqIndex
{
    /// <summary>
    /// Trains the rotation, the coarse quantizer (k-means, nlist centroids, on at most NList x
    /// TrainPointsPerList points) and the PQ codebooks (on the residuals of at most PqTrainPoints points)
    /// from <paramref name="sample"/> (rows of Dimension floats, e.g. a random subset of the catalog).
    /// Allowed while the index is empty; deterministic by <see cref="IvfPqOptions.Seed"/>.
    /// </summary>
    public void Train(ReadOnlySpan<float> sample)
    {
        ThrowIfDisposed();
        if (sample.Length % Dimension != 0)
            throw new ArgumentException($"sample holds {sample.Length} floats, not a multiple of the dimension {Dimension}", nameof(sample));
        int n = sample.Length / Dimension;
        int needed = Options.MinTrainingVectors;
        if (n < needed)
            throw new ArgumentException($"training needs at least {needed} vectors (nlist = {NList}, 256 per PQ sub-space); the sample has {n}", nameof(sample));
        for (int r = 0; r < n; r++)
            AddValidation.ValidateRow(sample.Slice(r * Dimension, Dimension), r, r, Metric, nameof(sample));

        _lock.EnterWriteLock();
        try
        {
            if (Count > 0)
                throw new InvalidOperationException($"the index holds {Count} vectors; train before adding (or build a new index)");
            var rng = new SplitMix64(Options.Seed);
            int[] chosen = SampleIndices(n, Math.Min(n, (int)Math.Min(int.MaxValue, (long)NList * Options.TrainPointsPerList)), ref rng);

            // The training points in the index's space: normalised (cosine) and rotated.
            var rotation = Options.Rotate ? new RandomRotation(Dimension, Options.Seed) : null;
            var points = new float[chosen.Length * Dimension];
            var tmp = new float[Dimension];
            for (int i = 0; i < chosen.Length; i++)
            {
                sample.Slice(chosen[i] * Dimension, Dimension).CopyTo(tmp);
                if (Metric == DistanceMetric.Cosine)
                    CosineSimilarity.Normalize(tmp);
                if (rotation is not null)
                    rotation.Apply(tmp, points.AsSpan(i * Dimension, Dimension));
                else
                    tmp.CopyTo(points.AsSpan(i * Dimension, Dimension));
            }

            var kmeans = new KMeansOptions { Iterations = Options.KMeansIterations, Seed = Options.Seed, MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism };
            var coarseResult = KMeans.Train(points, Dimension, NList, kmeans);
            var coarse = new CoarseQuantizer(coarseResult.Centroids, Dimension, innerProduct: Metric == DistanceMetric.InnerProduct) { GraphEf = Options.CoarseGraphEf };
            if (NList >= Options.CoarseGraphMinLists)
                coarse.BuildGraph(Options.CoarseGraphM, Options.CoarseGraphEfConstruction, Options.Seed + 2);

            // PQ on residuals of a subset of the same points.
            int pqCount = Math.Min(chosen.Length, Options.PqTrainPoints);
            var lists = new long[pqCount];
            coarse.Assign(points.AsSpan(0, pqCount * Dimension), lists);
            var residuals = new float[pqCount * Dimension];
            for (int i = 0; i < pqCount; i++)
                Residual(points.AsSpan(i * Dimension, Dimension), coarse.Centroid((int)lists[i]), residuals.AsSpan(i * Dimension, Dimension));
            var pq = new ProductQuantizer(Dimension, M);
            pq.Train(residuals, kmeans with { Iterations = Options.PqIterations, Seed = Options.Seed + 1 });

            _rotation = rotation;
            _coarse?.Dispose();
            _coarse = coarse;
            _pq = pq;
            _lists?.Dispose();
            _lists = new InvertedLists(NList, M, Options.StoreVectors ? Dimension : 0);
            _where = new Dictionary<long, long>();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// <paramref name="count"/> distinct indices of [0, n) in shuffled order (partial Fisher-Yates), so any
    /// prefix of them (the PQ training subset) is a random subset too.
    /// </summary>
    private static int[] SampleIndices(int n, int count, ref SplitMix64 rng)
    {
        var index = new int[n];
        for (int i = 0; i < n; i++)
            index[i] = i;
        for (int i = 0; i < count; i++)
        {
            int j = i + (int)(rng.Next() % (ulong)(n - i));
            (index[i], index[j]) = (index[j], index[i]);
        }
        return index[..count];
    }
}
