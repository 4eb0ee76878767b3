using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Synthetic;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.IvfPq;

/// <summary>
/// One IVF-PQ index over generated 50k x 64 cosine data (the SYNTHETIC.md recipe), built once for the
/// class, with the exact top-10 of 200 queries from the flat index (the oracle), and a saved copy.
/// Kept small (nlist 64, few k-means iterations) so the whole class runs in seconds.
/// </summary>
public sealed class IvfPqFixture : IDisposable
{
    public const int Dim = 64;
    public const int N = 50_000;
    public const int Queries = 200;
    public const int K = 10;

    public IvfPqFixture()
    {
        var gen = new SyntheticVectorGenerator(Dim, 17);
        Base = gen.GenerateBase(N);
        QueryRows = gen.GenerateQueries(Queries);
        Ids = new long[N];
        for (int i = 0; i < N; i++)
            Ids[i] = 1_000_000 + 3L * i; // external ids are not ordinals
        Options = new IvfPqOptions { NList = 64, M = 16, KMeansIterations = 6, PqIterations = 8, TrainPointsPerList = 128, PqTrainPoints = 8192, DefaultNProbe = 8 };
        Index = new IvfPqIndex(Dim, DistanceMetric.Cosine, Options);
        Index.Train(Base.AsSpan(0, 20_000 * Dim));
        Index.Add(Ids, Base);

        using var flat = new FlatIndex(Dim, DistanceMetric.Cosine);
        flat.Add(Ids, Base);
        TruthIds = new long[Queries * K];
        TruthDistances = new float[Queries * K];
        flat.Search(QueryRows, K, TruthIds, TruthDistances);

        SavedDirectory = VectorTestData.TempDirectory();
        Index.Save(SavedDirectory);
    }

    public float[] Base { get; }
    public float[] QueryRows { get; }
    public long[] Ids { get; }
    public IvfPqOptions Options { get; }
    public IvfPqIndex Index { get; }
    public long[] TruthIds { get; }
    public float[] TruthDistances { get; }
    public string SavedDirectory { get; }

    public double Recall(long[] found)
    {
        int hits = 0;
        for (int q = 0; q < Queries; q++)
        {
            var truth = TruthIds.AsSpan(q * K, K);
            foreach (long id in found.AsSpan(q * K, K))
            {
                if (truth.Contains(id))
                    hits++;
            }
        }
        return (double)hits / (Queries * K);
    }

    public void Dispose()
    {
        Index.Dispose();
        Directory.Delete(SavedDirectory, recursive: true);
    }
}
