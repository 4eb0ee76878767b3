using System.Buffers.Binary;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Storage;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Storage;

public class VectorFileTests : IDisposable
{
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, int n, int dim, out float[] rows)
    {
        string path = Path.Combine(_dir, name);
        rows = VectorTestData.ClusteredRows(n + dim, n, dim);
        using var w = new VectorFileWriter(path, dim, DistanceMetric.L2);
        for (int i = 0; i < n; i++)
            w.Append(rows.AsSpan(i * dim, dim));
        w.Complete();
        return path;
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 1)]
    [InlineData(100, 96)]
    [InlineData(33, 17)]
    public void Round_trip_maps_rows_exactly_on_64_byte_boundaries(int n, int dim)
    {
        string path = WriteFile("v.rsv", n, dim, out var rows);
        using var f = MappedVectorFile.Open(path);
        Assert.Equal(n, f.Count);
        Assert.Equal(dim, f.Dimension);
        Assert.Equal(DistanceMetric.L2, f.Header.Metric);
        Assert.Equal(0, f.Header.RowStrideBytes % 64);
        for (int i = 0; i < n; i++)
        {
            Assert.True(f.GetRow(i).SequenceEqual(rows.AsSpan(i * dim, dim)));
            unsafe
            {
                Assert.Equal(0, (long)(f.RowsPointer + (long)i * f.RowStrideFloats) % 64);
            }
        }
        if (n > 1)
        {
            var block = f.GetRows(0, n);
            Assert.Equal((n - 1) * f.RowStrideFloats + dim, block.Length);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => f.GetRow(n));
    }

    [Fact]
    public void Unfinished_writer_leaves_no_file()
    {
        string path = Path.Combine(_dir, "partial.rsv");
        using (var w = new VectorFileWriter(path, 4))
            w.Append([1, 2, 3, 4]);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Truncated_file_is_rejected_naming_the_file()
    {
        string path = WriteFile("t.rsv", 10, 8, out _);
        using (var fs = new FileStream(path, FileMode.Open))
            fs.SetLength(fs.Length - 1);
        var ex = Assert.Throws<InvalidDataException>(() => MappedVectorFile.Open(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("truncated", ex.Message);

        File.WriteAllBytes(path, new byte[10]);
        ex = Assert.Throws<InvalidDataException>(() => MappedVectorFile.Open(path));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void Wrong_magic_version_and_zero_dimension_are_rejected()
    {
        string path = WriteFile("h.rsv", 3, 8, out _);
        byte[] good = File.ReadAllBytes(path);

        var bytes = (byte[])good.Clone();
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => MappedVectorFile.Open(path)).Message);

        bytes = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 99);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("version 99", Assert.Throws<InvalidDataException>(() => MappedVectorFile.Open(path)).Message);

        bytes = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), 0);
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => MappedVectorFile.Open(path));
        Assert.Contains("dimension is 0", ex.Message);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        string path = Path.Combine(_dir, "nope.rsv");
        var ex = Assert.Throws<FileNotFoundException>(() => MappedVectorFile.Open(path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Arena_rows_are_aligned_and_survive_growth()
    {
        using var arena = new VectorArena(10, initialCapacity: 2);
        var rows = VectorTestData.ClusteredRows(1, 50, 10);
        for (int i = 0; i < 50; i++)
            Assert.Equal(i, arena.Append(rows.AsSpan(i * 10, 10)));
        for (int i = 0; i < 50; i++)
            Assert.True(arena.GetRow(i).SequenceEqual(rows.AsSpan(i * 10, 10)));
        unsafe
        {
            Assert.Equal(0, (long)arena.RowsPointer % 64);
        }
        arena.CopyRow(49, 0);
        arena.RemoveLast();
        Assert.Equal(49, arena.Count);
        Assert.True(arena.GetRow(0).SequenceEqual(rows.AsSpan(490, 10)));
    }
}
