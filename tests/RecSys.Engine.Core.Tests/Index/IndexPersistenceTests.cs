using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index;

/// <summary>
/// Every index format (flat, HNSW, IVF-PQ with its coarse graph) against torn files and power loss: any file of a
/// saved directory cut short is an InvalidDataException naming it; a save survives a simulated power loss intact; and
/// with either fsync of the durable write dropped it does not, so these tests fail if a save loses one.
/// </summary>
public sealed class IndexPersistenceTests : IDisposable
{
    private const int Dim = 16;
    private const int N = 300;
    private static readonly float[] Rows = VectorTestData.ClusteredRows(11, N, Dim);
    private static readonly float[] Queries = VectorTestData.ClusteredRows(12, 10, Dim);
    private static readonly long[] Ids = Enumerable.Range(0, N).Select(i => 1000L + 7 * i).ToArray();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Kinds => ["flat", "hnsw", "ivfpq"];

    public static TheoryData<string, bool> KindsTimesBoth
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (string kind in new[] { "flat", "hnsw", "ivfpq" })
            {
                data.Add(kind, true);
                data.Add(kind, false);
            }
            return data;
        }
    }

    private static IVectorIndex Build(string kind, int n = N)
    {
        IVectorIndex index = kind switch
        {
            "flat" => new FlatIndex(Dim, DistanceMetric.L2),
            "hnsw" => new HnswIndex(Dim, DistanceMetric.L2, new HnswOptions { M = 8, EfConstruction = 40, BuildThreads = 1 }),
            "ivfpq" => new IvfPqIndex(Dim, DistanceMetric.L2, new IvfPqOptions { NList = 8, M = 4, KMeansIterations = 3, PqIterations = 3, CoarseGraphMinLists = 1 }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        if (index is IvfPqIndex ivf)
            ivf.Train(Rows);
        index.Add(Ids.AsSpan(0, n), Rows.AsSpan(0, n * Dim));
        return index;
    }

    private static IVectorIndex Load(string kind, string directory) => kind switch
    {
        "flat" => FlatIndex.Load(directory),
        "hnsw" => HnswIndex.Load(directory),
        "ivfpq" => IvfPqIndex.Load(directory),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static long[] Answers(IVectorIndex index)
    {
        const int k = 5;
        var ids = new long[Queries.Length / Dim * k];
        index.Search(Queries, k, ids, new float[ids.Length]);
        return ids;
    }

    /// <summary>Saves under a <see cref="PowerLossSimulator"/> over the test folder, then pulls the power.</summary>
    private void SaveAcrossPowerLoss(IVectorIndex index, string directory, bool syncFiles = true, bool syncDirectories = true)
    {
        using var power = new PowerLossSimulator(_dir.Path, syncFiles, syncDirectories);
        index.Save(directory);
        power.Crash();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_file_cut_short_is_detected_naming_the_file(string kind)
    {
        string dir = _dir.File("index");
        using (var index = Build(kind))
            index.Save(dir);
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith(".bin", StringComparison.Ordinal));
        foreach (string file in files)
        {
            byte[] whole = File.ReadAllBytes(file);
            foreach (int cut in new[] { 0, 1, 9, 40, whole.Length / 2, whole.Length - 1 }.Where(c => c < whole.Length).Distinct())
            {
                File.WriteAllBytes(file, whole[..cut]);
                var e = Assert.Throws<InvalidDataException>(() => Load(kind, dir).Dispose());
                Assert.Contains(Path.GetRelativePath(dir, file), e.Message);
            }
            File.WriteAllBytes(file, whole);
        }
        Load(kind, dir).Dispose();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_save_survives_a_power_loss_intact(string kind)
    {
        string dir = _dir.File("index"); // new: its own directory entry must reach the disk too
        using var index = Build(kind);
        SaveAcrossPowerLoss(index, dir);
        using var loaded = Load(kind, dir);
        Assert.Equal(index.Count, loaded.Count);
        Assert.Equal(Answers(index), Answers(loaded));
    }

    /// <summary>The helper with its file fsync dropped leaves empty files; with its directory fsync dropped, no index at all.</summary>
    [Theory]
    [MemberData(nameof(KindsTimesBoth))]
    public void Without_a_fsync_a_power_loss_loses_a_new_index(string kind, bool syncFiles)
    {
        string dir = _dir.File("index");
        using var index = Build(kind);
        SaveAcrossPowerLoss(index, dir, syncFiles, syncDirectories: !syncFiles);
        if (syncFiles)
            Assert.Throws<FileNotFoundException>(() => Load(kind, dir).Dispose());
        else
            Assert.Throws<InvalidDataException>(() => Load(kind, dir).Dispose());
    }

    [Theory]
    [MemberData(nameof(KindsTimesBoth))]
    public void A_save_over_an_index_leaves_the_new_one_or_without_the_directory_fsync_the_old_one(string kind, bool syncDirectories)
    {
        string dir = _dir.File("index");
        using (var old = Build(kind, n: 200))
            old.Save(dir);
        using var index = Build(kind);
        SaveAcrossPowerLoss(index, dir, syncDirectories: syncDirectories);
        using var loaded = Load(kind, dir);
        Assert.Equal(syncDirectories ? N : 200, loaded.Count);
        if (syncDirectories)
            Assert.Equal(Answers(index), Answers(loaded));
    }
}
