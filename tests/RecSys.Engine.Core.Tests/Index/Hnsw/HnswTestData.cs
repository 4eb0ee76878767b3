using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Synthetic;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.Hnsw;

/// <summary>
/// The 20k x 64 data sets the HNSW tests share: the SYNTHETIC.md recipe for cosine, clustered rows for L2,
/// each with an HNSW index and the flat index (the exact oracle) over the same rows. Built once per run.
/// </summary>
public sealed class HnswTestData : IDisposable
{
    public const int N = 20_000;
    public const int Dim = 64;
    public const int QueryCount = 200;
    public static readonly HnswOptions Build = new() { M = 16, EfConstruction = 100, Seed = 7 };

    public HnswTestData()
    {
        var gen = new SyntheticVectorGenerator(Dim, 42);
        CosineRows = gen.GenerateBase(N);
        CosineQueries = gen.GenerateQueries(QueryCount);
        // L2 on the same recipe with another seed (raw, unnormalised rows). VectorTestData.ClusteredRows' uniform
        // noise makes every in-cluster point nearly equidistant: a worst case, not embedding-like data.
        var l2Gen = new SyntheticVectorGenerator(Dim, 43);
        L2Rows = l2Gen.GenerateBase(N);
        L2Queries = l2Gen.GenerateQueries(QueryCount);
        Ids = new long[N];
        for (int i = 0; i < N; i++)
            Ids[i] = 1000 + 3L * i; // external ids unlike ordinals, so a mix-up shows
        Cosine = new HnswIndex(Dim, DistanceMetric.Cosine, Build);
        Cosine.Add(Ids, CosineRows);
        L2 = new HnswIndex(Dim, DistanceMetric.L2, Build);
        L2.Add(Ids, L2Rows);
        CosineFlat = new FlatIndex(Dim, DistanceMetric.Cosine);
        CosineFlat.Add(Ids, CosineRows);
        L2Flat = new FlatIndex(Dim, DistanceMetric.L2);
        L2Flat.Add(Ids, L2Rows);
    }

    public float[] CosineRows { get; }
    public float[] CosineQueries { get; }
    public float[] L2Rows { get; }
    public float[] L2Queries { get; }
    public long[] Ids { get; }
    public HnswIndex Cosine { get; }
    public HnswIndex L2 { get; }
    public FlatIndex CosineFlat { get; }
    public FlatIndex L2Flat { get; }

    /// <summary>Mean |approx top-k ∩ exact top-k| / k over the queries.</summary>
    public static double Recall(IVectorIndex approx, IVectorIndex exact, float[] queries, int k, SearchParameters? approxParams = null, SearchParameters? exactParams = null)
    {
        int nq = queries.Length / exact.Dimension;
        var a = new long[nq * k];
        var e = new long[nq * k];
        var d = new float[nq * k];
        approx.Search(queries, k, a, d, approxParams);
        exact.Search(queries, k, e, d, exactParams);
        double hits = 0, total = 0;
        for (int q = 0; q < nq; q++)
        {
            var truth = new HashSet<long>(e.AsSpan(q * k, k).ToArray().Where(x => x >= 0));
            total += truth.Count;
            foreach (long id in a.AsSpan(q * k, k))
            {
                if (truth.Contains(id))
                    hits++;
            }
        }
        return total == 0 ? 1 : hits / total;
    }

    public void Dispose()
    {
        Cosine.Dispose();
        L2.Dispose();
        CosineFlat.Dispose();
        L2Flat.Dispose();
    }
}
