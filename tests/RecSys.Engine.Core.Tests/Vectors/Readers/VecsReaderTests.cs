using System.Buffers.Binary;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Readers;

public sealed class VecsReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Fvecs_RoundTripsThroughWriter()
    {
        string path = _dir.File("a.fvecs");
        float[][] rows = [[1.5f, -2f, 3.25f], [float.MaxValue, float.Epsilon, 0f], [-0f, 7f, 1e-30f]];
        using (var writer = new FvecsWriter(path, 3))
        {
            foreach (float[] r in rows)
            {
                writer.Append(r);
            }

            Assert.Equal(3, writer.Count);
        }

        Assert.Equal(3 * (4 + 12), new FileInfo(path).Length);
        using IVectorReader reader = VectorReaders.Open(path);
        Assert.IsType<FvecsReader>(reader);
        Assert.Equal(3, reader.Dimension);
        Assert.Equal(3L, reader.Count);
        Assert.Equal(path, reader.Path);
        float[] row = new float[3];
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.True(reader.TryReadNext(row, out long id));
            Assert.Equal(i, id);
            Assert.Equal(rows[i], row);
        }

        Assert.False(reader.TryReadNext(row, out _));
        Assert.False(reader.TryReadNext(row, out _));
    }

    [Fact]
    public void Ivecs_RoundTripsAsIntsAndAsFloats()
    {
        string path = _dir.File("gt.ivecs");
        int[][] rows = [[0, 17, 999_999], [int.MaxValue, -1, 42]];
        using (var writer = new IvecsWriter(path, 3))
        {
            foreach (int[] r in rows)
            {
                writer.Append(r);
            }

            Assert.Equal(2, writer.Count);
        }

        using (var reader = new IvecsReader(path))
        {
            int[] ints = new int[3];
            Assert.True(reader.TryReadNext(ints));
            Assert.Equal(rows[0], ints);
            Assert.True(reader.TryReadNext(ints));
            Assert.Equal(rows[1], ints);
            Assert.False(reader.TryReadNext(ints));
        }

        using (IVectorReader reader = VectorReaders.Open(path))
        {
            float[] floats = new float[3];
            for (int i = 0; i < rows.Length; i++)
            {
                Assert.True(reader.TryReadNext(floats, out long id));
                Assert.Equal(i, id);
                Assert.Equal(rows[i].Select(v => (float)v), floats);
            }

            Assert.False(reader.TryReadNext(floats, out _));
        }
    }

    [Fact]
    public void Bvecs_ConvertsEveryByteValueExactly()
    {
        string path = _dir.File("b.bvecs");
        const int d = 256;
        using (var stream = File.Create(path))
        {
            for (int r = 0; r < 2; r++)
            {
                WriteInt(stream, d);
                for (int i = 0; i < d; i++)
                {
                    stream.WriteByte((byte)(r == 0 ? i : 255 - i));
                }
            }
        }

        using IVectorReader reader = VectorReaders.Open(path);
        Assert.IsType<BvecsReader>(reader);
        Assert.Equal(d, reader.Dimension);
        Assert.Equal(2L, reader.Count);
        float[] row = new float[d];
        Assert.True(reader.TryReadNext(row, out long id0));
        Assert.Equal(0, id0);
        Assert.Equal(Enumerable.Range(0, d).Select(i => (float)i), row);
        Assert.True(reader.TryReadNext(row, out long id1));
        Assert.Equal(1, id1);
        Assert.Equal(Enumerable.Range(0, d).Select(i => (float)(255 - i)), row);
        Assert.False(reader.TryReadNext(row, out _));
    }

    [Fact]
    public void Fvecs_InconsistentDimension_NamesFileAndRow()
    {
        string path = _dir.File("ragged.fvecs");
        using (var stream = File.Create(path))
        {
            WriteFloatRecord(stream, 4, 4);
            WriteFloatRecord(stream, 4, 4);
            WriteFloatRecord(stream, 5, 5);
        }

        using var reader = new FvecsReader(path);
        float[] row = new float[4];
        Assert.True(reader.TryReadNext(row, out _));
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("ragged.fvecs", e.Message);
        Assert.Contains("row 2", e.Message);
        Assert.Contains("dimension 5 differs from 4", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Fvecs_NonFiniteValue_NamesFileRowAndComponent(float bad)
    {
        string path = _dir.File("nan.fvecs");
        using (var writer = new FvecsWriter(path, 3))
        {
            writer.Append([1f, 2f, 3f]);
            writer.Append([4f, bad, 6f]);
        }

        using var reader = new FvecsReader(path);
        float[] row = new float[3];
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("nan.fvecs", e.Message);
        Assert.Contains("row 1", e.Message);
        Assert.Contains("component 1", e.Message);
    }

    [Fact]
    public void Fvecs_TruncatedTail_NamesFileAndRow()
    {
        string path = _dir.File("short.fvecs");
        using (var stream = File.Create(path))
        {
            WriteFloatRecord(stream, 4, 4);
            WriteFloatRecord(stream, 4, 2); // the last record stops half way
        }

        using var reader = new FvecsReader(path);
        float[] row = new float[4];
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("short.fvecs", e.Message);
        Assert.Contains("row 1", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Fvecs_TruncatedDimensionPrefix_IsAnError()
    {
        string path = _dir.File("prefix.fvecs");
        using (var stream = File.Create(path))
        {
            WriteFloatRecord(stream, 2, 2);
            stream.Write([2, 0]);
        }

        using var reader = new FvecsReader(path);
        float[] row = new float[2];
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Fvecs_NonPositiveDimension_IsRejected(int d)
    {
        string path = _dir.File("zero.fvecs");
        using (var stream = File.Create(path))
        {
            WriteInt(stream, d);
        }

        var e = Assert.Throws<InvalidDataException>(() => new FvecsReader(path));
        Assert.Contains("zero.fvecs", e.Message);
        Assert.Contains("row 0", e.Message);
        Assert.Contains($"dimension {d} must be positive", e.Message);
    }

    [Fact]
    public void EmptyFile_IsRejected()
    {
        string path = _dir.File("empty.ivecs");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<InvalidDataException>(() => new IvecsReader(path));
        Assert.Contains("empty.ivecs", e.Message);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void RowOfWrongLength_IsAnArgumentError()
    {
        string path = _dir.File("w.fvecs");
        using (var writer = new FvecsWriter(path, 3))
        {
            Assert.Throws<ArgumentException>(() => writer.Append(new float[2]));
            writer.Append(new float[3]);
        }

        using var reader = new FvecsReader(path);
        Assert.Throws<ArgumentException>(() => reader.TryReadNext(new float[4], out _));
    }

    [Fact]
    public void Open_UnknownExtension_IsNotSupported()
    {
        var e = Assert.Throws<NotSupportedException>(() => VectorReaders.Open(_dir.File("x.parquet")));
        Assert.Contains(".parquet", e.Message);
    }

    private static void WriteInt(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WriteFloatRecord(Stream stream, int declared, int actual)
    {
        WriteInt(stream, declared);
        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < actual; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes, i + 0.5f);
            stream.Write(bytes);
        }
    }
}
