using System.Text;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.Hnsw;

public class HnswPersistenceTests(HnswTestData data) : IClassFixture<HnswTestData>, IDisposable
{
    private const int Dim = HnswTestData.Dim;
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Save_then_load_gives_identical_results_without_rebuilding()
    {
        data.Cosine.Save(_dir);
        using var loaded = HnswIndex.Load(_dir);
        Assert.Equal(data.Cosine.Count, loaded.Count);
        Assert.Equal(data.Cosine.TopLevel, loaded.TopLevel);
        Assert.Equal(DistanceMetric.Cosine, loaded.Metric);
        const int k = 10;
        int nq = HnswTestData.QueryCount;
        var a = new long[nq * k];
        var b = new long[nq * k];
        var da = new float[nq * k];
        var db = new float[nq * k];
        var p = new SearchParameters { Ef = 48 };
        data.Cosine.Search(data.CosineQueries, k, a, da, p);
        loaded.Search(data.CosineQueries, k, b, db, p);
        Assert.Equal(a, b);
        Assert.Equal(da, db);
    }

    [Fact]
    public void Loaded_index_takes_inserts_and_deletes_and_saves_again()
    {
        const int n = 3000;
        using (var index = new HnswIndex(Dim, DistanceMetric.L2, HnswTestData.Build))
        {
            index.Add(data.Ids.AsSpan(0, n), data.L2Rows.AsSpan(0, n * Dim));
            index.Remove(data.Ids.AsSpan(0, 10));
            index.Save(_dir);
        }
        using (var loaded = HnswIndex.Load(_dir))
        {
            Assert.Equal(n - 10, loaded.Count);
            Assert.False(loaded.Contains(data.Ids[0]));
            loaded.Add(data.Ids.AsSpan(n, 100), data.L2Rows.AsSpan(n * Dim, 100 * Dim));
            loaded.Remove(data.Ids.AsSpan(20, 5));
            var ids = new long[1];
            var d = new float[1];
            loaded.Search(data.L2Rows.AsSpan((n + 50) * Dim, Dim), 1, ids, d);
            Assert.Equal(data.Ids[n + 50], ids[0]);
            loaded.Save(_dir); // over the very files it maps: written to temp files and renamed
        }
        using var again = HnswIndex.Load(_dir);
        Assert.Equal(n - 10 + 100 - 5, again.Count);
        var one = new long[1];
        var dist = new float[1];
        again.Search(data.L2Rows.AsSpan(100 * Dim, Dim), 1, one, dist);
        Assert.Equal(data.Ids[100], one[0]);
    }

    [Fact]
    public void Corrupt_graph_file_is_a_clear_error()
    {
        SaveSmall();
        string graph = Path.Combine(_dir, HnswIndex.GraphFileName);
        var bytes = File.ReadAllBytes(graph);
        bytes[200] ^= 0x40;
        File.WriteAllBytes(graph, bytes);
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_dir));
        Assert.Contains(HnswIndex.GraphFileName, e.Message);
        Assert.Contains("checksum", e.Message);

        File.WriteAllBytes(graph, bytes.AsSpan(0, bytes.Length - 8).ToArray());
        e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_dir));
        Assert.Contains("bytes", e.Message);
    }

    [Fact]
    public void Unknown_header_flags_are_a_clear_error()
    {
        SaveSmall();
        string graph = Path.Combine(_dir, HnswIndex.GraphFileName);
        var bytes = File.ReadAllBytes(graph);
        bytes[72] |= 0x04; // bits 0 (keep pruned) and 1 (bf16 traversal) are the only ones this build knows
        File.WriteAllBytes(graph, bytes);
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_dir));
        Assert.Contains(HnswIndex.GraphFileName, e.Message);
        Assert.Contains("unknown flags 0x", e.Message);
    }

    [Fact]
    public void Mismatched_files_are_a_clear_error()
    {
        SaveSmall();
        string manifest = Path.Combine(_dir, HnswIndex.ManifestFileName);
        string json = File.ReadAllText(manifest);

        File.WriteAllText(manifest, json.Replace($"\"dimension\": {Dim}", "\"dimension\": 32"));
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_dir));
        Assert.Contains("dimension 64", e.Message);

        File.WriteAllText(manifest, json.Replace("\"L2\"", "\"Cosine\""));
        e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_dir));
        Assert.Contains("metric", e.Message);

        File.WriteAllText(manifest, json.Replace("\"count\": 500", "\"count\": 499"));
        e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_dir));
        Assert.Contains("499", e.Message);

        // A vector file from another save (other count) next to this graph.
        File.WriteAllText(manifest, json);
        using (var other = new HnswIndex(Dim, DistanceMetric.L2, HnswTestData.Build))
        {
            string otherDir = Path.Combine(_dir, "other");
            other.Add(data.Ids.AsSpan(0, 400), data.L2Rows.AsSpan(0, 400 * Dim));
            other.Save(otherDir);
            File.Copy(Path.Combine(otherDir, HnswIndex.VectorsFileName), Path.Combine(_dir, HnswIndex.VectorsFileName), overwrite: true);
        }
        e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_dir));
        Assert.Contains(HnswIndex.VectorsFileName, e.Message);

        File.WriteAllText(manifest, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(json.Replace("\"hnsw\"", "\"flat\""))));
        e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_dir));
        Assert.Contains("flat", e.Message);
    }

    private void SaveSmall()
    {
        using var index = new HnswIndex(Dim, DistanceMetric.L2, HnswTestData.Build);
        index.Add(data.Ids.AsSpan(0, 500), data.L2Rows.AsSpan(0, 500 * Dim));
        index.Save(_dir);
    }
}
