using System.Buffers.Binary;
using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Index.IvfPq;

/// <summary>Damaged index directories are rejected with an InvalidDataException that names the file and the problem.</summary>
public class IvfPqPersistenceTests : IDisposable
{
    private readonly string _dir = VectorTestData.TempDirectory();

    public IvfPqPersistenceTests()
    {
        var data = VectorTestData.ClusteredRows(3, 600, 16);
        using var index = new IvfPqIndex(16, DistanceMetric.Cosine, new IvfPqOptions { NList = 8, M = 4, KMeansIterations = 3, PqIterations = 3 });
        index.Train(data);
        index.Add(Enumerable.Range(0, 600).Select(i => (long)i).ToArray(), data);
        index.Save(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private void AssertRejected(string file, string reason)
    {
        var ex = Assert.Throws<InvalidDataException>(() => IvfPqIndex.Load(_dir).Dispose());
        Assert.Contains(file, ex.Message);
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void An_intact_directory_loads() => IvfPqIndex.Load(_dir).Dispose();

    [Fact]
    public void Truncated_lists_file()
    {
        var bytes = File.ReadAllBytes(PathOf(IvfPqIndex.ListsFileName));
        File.WriteAllBytes(PathOf(IvfPqIndex.ListsFileName), bytes[..(bytes.Length - 5)]);
        AssertRejected(IvfPqIndex.ListsFileName, "truncated or corrupt");
    }

    [Fact]
    public void Wrong_magic_in_quantizers()
    {
        var bytes = File.ReadAllBytes(PathOf(IvfPqIndex.QuantizersFileName));
        bytes[0] = (byte)'X';
        File.WriteAllBytes(PathOf(IvfPqIndex.QuantizersFileName), bytes);
        AssertRejected(IvfPqIndex.QuantizersFileName, "wrong magic");
    }

    [Fact]
    public void Non_finite_centroid()
    {
        var bytes = File.ReadAllBytes(PathOf(IvfPqIndex.QuantizersFileName));
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(64 + 4 * 5), float.NaN);
        File.WriteAllBytes(PathOf(IvfPqIndex.QuantizersFileName), bytes);
        AssertRejected(IvfPqIndex.QuantizersFileName, "coarse centroids value 5");
    }

    [Fact]
    public void List_sizes_that_do_not_add_up()
    {
        var bytes = File.ReadAllBytes(PathOf(IvfPqIndex.ListsFileName));
        long first = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(64));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(64), first + 1);
        File.WriteAllBytes(PathOf(IvfPqIndex.ListsFileName), bytes);
        AssertRejected(IvfPqIndex.ListsFileName, "add up to");
    }

    [Fact]
    public void Manifest_count_that_disagrees_with_the_lists()
    {
        string manifest = PathOf(IvfPqIndex.ManifestFileName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"count\": 600", "\"count\": 601"));
        AssertRejected(IvfPqIndex.ListsFileName, "manifest says 601");
    }

    [Fact]
    public void Missing_vectors_file()
    {
        File.Delete(PathOf(IvfPqIndex.VectorsFileName));
        Assert.Throws<FileNotFoundException>(() => IvfPqIndex.Load(_dir).Dispose());
    }

    [Fact]
    public void Missing_lists_file()
    {
        File.Delete(PathOf(IvfPqIndex.ListsFileName));
        AssertRejected(IvfPqIndex.ListsFileName, "missing");
    }
}
