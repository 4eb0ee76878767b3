using System.Buffers.Binary;
using System.IO.Compression;
using RecSys.Engine.Core.Vectors.Readers;

namespace RecSys.Engine.Core.Tests.Vectors.Readers;

public sealed class MnistIdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recsys-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteIdx(string name, int magic, int count, int rows, int cols, byte[] pixels, bool gzip = true)
    {
        string path = Path.Combine(_dir, name);
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), cols);
        using var file = File.Create(path);
        using Stream body = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        body.Write(header);
        body.Write(pixels);
        return path;
    }

    [Fact]
    public void ReadsRowsAsUnscaledFloats()
    {
        byte[] pixels = [0, 1, 2, 3, 4, 255, 128, 7, 9, 10, 11, 12];
        string path = WriteIdx("ok.gz", MnistIdx.ImageMagic, 2, 2, 3, pixels);
        float[] rows = MnistIdx.ReadAll(path, out int count, out int dim);
        Assert.Equal(2, count);
        Assert.Equal(6, dim);
        Assert.Equal(pixels.Select(p => (float)p).ToArray(), rows);

        using var idx = MnistIdx.Open(path);
        var row = new float[6];
        Assert.True(idx.ReadNext(row));
        Assert.True(idx.ReadNext(row));
        Assert.False(idx.ReadNext(row));
    }

    [Fact]
    public void WrongMagic_NamesFileAndMagic()
    {
        string path = WriteIdx("labels.gz", 0x00000801, 1, 1, 1, [0]);
        var e = Assert.Throws<InvalidDataException>(() => MnistIdx.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void BadDimensions_AreRejected()
    {
        string path = WriteIdx("dims.gz", MnistIdx.ImageMagic, 1, 0, 28, []);
        var e = Assert.Throws<InvalidDataException>(() => MnistIdx.Open(path));
        Assert.Contains("image size", e.Message);
    }

    [Fact]
    public void Truncated_NamesFileAndImage()
    {
        string path = WriteIdx("short.gz", MnistIdx.ImageMagic, 3, 2, 2, new byte[9]);
        var e = Assert.Throws<InvalidDataException>(() => MnistIdx.ReadAll(path, out _, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("image 2", e.Message);
    }

    [Fact]
    public void NotGzip_NamesFile()
    {
        string path = WriteIdx("plain.idx", MnistIdx.ImageMagic, 1, 1, 1, [5], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => MnistIdx.Open(path));
        Assert.Contains(path, e.Message);
    }
}
