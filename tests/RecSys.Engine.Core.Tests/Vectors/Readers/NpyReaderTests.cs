using System.Runtime.InteropServices;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Readers;

public sealed class NpyReaderTests : IDisposable
{
    private const int Rows = 3;
    private const int Dim = 5;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Values that are not exactly representable in float16 / float32, so a wrong conversion shows.
    private static double Value(int r, int c) => ((r * 7) + c) / 3.0 - 2.1 + (c * 1e-5);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Float32_ReadsExactly(int major)
    {
        float[] data = Enumerable.Range(0, Rows * Dim).Select(i => (float)Value(i / Dim, i % Dim)).ToArray();
        string path = _dir.File("f4.npy");
        NpyFile.Write(path, "<f4", $"({Rows}, {Dim})", MemoryMarshal.AsBytes(data.AsSpan()), major: major);

        AssertRows(path, (r, c) => data[(r * Dim) + c]);
    }

    [Fact]
    public void Float16_ReadsAsWidenedHalf()
    {
        Half[] data = Enumerable.Range(0, Rows * Dim).Select(i => (Half)Value(i / Dim, i % Dim)).ToArray();
        string path = _dir.File("f2.npy");
        NpyFile.Write(path, "<f2", $"({Rows}, {Dim})", MemoryMarshal.AsBytes(data.AsSpan()), major: 2);

        AssertRows(path, (r, c) => (float)(Half)Value(r, c));
    }

    [Fact]
    public void Float64_RoundsToNearestFloat()
    {
        double[] data = Enumerable.Range(0, Rows * Dim).Select(i => Value(i / Dim, i % Dim)).ToArray();
        string path = _dir.File("f8.npy");
        NpyFile.Write(path, "<f8", $"({Rows}, {Dim})", MemoryMarshal.AsBytes(data.AsSpan()), major: 3);

        AssertRows(path, (r, c) => (float)Value(r, c));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(1e300)] // finite as float64, infinite as float32
    public void NonFiniteValue_NamesFileRowAndComponent(double bad)
    {
        double[] data = Enumerable.Range(0, Rows * Dim).Select(i => Value(i / Dim, i % Dim)).ToArray();
        data[2 * Dim + 1] = bad;
        string path = _dir.File("bad.npy");
        NpyFile.Write(path, "<f8", $"({Rows}, {Dim})", MemoryMarshal.AsBytes(data.AsSpan()));

        using var reader = new NpyReader(path);
        float[] row = new float[Dim];
        Assert.True(reader.TryReadNext(row, out _));
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("bad.npy", e.Message);
        Assert.Contains("row 2", e.Message);
        Assert.Contains("component 1", e.Message);
    }

    [Fact]
    public void UInt8_ReadsExactly()
    {
        byte[] data = Enumerable.Range(0, Rows * Dim).Select(i => (byte)(i * 17)).ToArray();
        string path = _dir.File("u1.npy");
        NpyFile.Write(path, "|u1", $"({Rows}, {Dim})", data);

        AssertRows(path, (r, c) => data[(r * Dim) + c]);
    }

    [Fact]
    public void OneDimensionalShape_IsOneRow()
    {
        float[] data = [1f, 2f, 3f];
        string path = _dir.File("one.npy");
        NpyFile.Write(path, "<f4", "(3,)", MemoryMarshal.AsBytes(data.AsSpan()));

        using var reader = new NpyReader(path);
        Assert.Equal(3, reader.Dimension);
        Assert.Equal(1L, reader.Count);
        float[] row = new float[3];
        Assert.True(reader.TryReadNext(row, out long id));
        Assert.Equal(0, id);
        Assert.Equal(data, row);
        Assert.False(reader.TryReadNext(row, out _));
    }

    [Fact]
    public void FortranOrder_IsRejected()
    {
        string path = _dir.File("fortran.npy");
        NpyFile.Write(path, "<f4", "(2, 2)", new byte[16], fortranOrder: true);
        var e = Assert.Throws<InvalidDataException>(() => new NpyReader(path));
        Assert.Contains("fortran.npy", e.Message);
        Assert.Contains("fortran_order", e.Message);
    }

    [Fact]
    public void Int64Dtype_IsRejected()
    {
        string path = _dir.File("x.npy");
        NpyFile.Write(path, "<i8", "(2, 2)", new byte[32]);
        var e = Assert.Throws<InvalidDataException>(() => VectorReaders.Open(path));
        Assert.Contains("x.npy", e.Message);
        Assert.Contains("dtype '<i8' is not supported", e.Message);
    }

    [Fact]
    public void BigEndian_IsRejected()
    {
        string path = _dir.File("be.npy");
        NpyFile.Write(path, ">f4", "(2, 2)", new byte[16]);
        var e = Assert.Throws<InvalidDataException>(() => new NpyReader(path));
        Assert.Contains("be.npy", e.Message);
        Assert.Contains("'>f4'", e.Message);
        Assert.Contains("big-endian", e.Message);
    }

    [Fact]
    public void ThreeDimensionalShape_IsRejected()
    {
        string path = _dir.File("cube.npy");
        NpyFile.Write(path, "<f4", "(2, 2, 2)", new byte[32]);
        var e = Assert.Throws<InvalidDataException>(() => new NpyReader(path));
        Assert.Contains("shape (2, 2, 2)", e.Message);
    }

    [Fact]
    public void TruncatedData_NamesTheRow()
    {
        string path = _dir.File("cut.npy");
        // Header declares 3 rows of 4 floats (48 bytes); the file holds two and a half rows.
        NpyFile.Write(path, "<f4", "(3, 4)", new byte[40]);

        using var reader = new NpyReader(path);
        Assert.Equal(3L, reader.Count);
        float[] row = new float[4];
        Assert.True(reader.TryReadNext(row, out _));
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("cut.npy", e.Message);
        Assert.Contains("row 2", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TrailingBytes_AreRejected()
    {
        string path = _dir.File("extra.npy");
        NpyFile.Write(path, "<f4", "(1, 2)", new byte[12]);
        var e = Assert.Throws<InvalidDataException>(() => new NpyReader(path));
        Assert.Contains("4 bytes follow", e.Message);
    }

    [Fact]
    public void NotAnNpyFile_IsRejected()
    {
        string path = _dir.File("text.npy");
        File.WriteAllText(path, "hello, world");
        var e = Assert.Throws<InvalidDataException>(() => new NpyReader(path));
        Assert.Contains("magic", e.Message);
    }

    private static void AssertRows(string path, Func<int, int, float> expected)
    {
        using IVectorReader reader = VectorReaders.Open(path);
        Assert.IsType<NpyReader>(reader);
        Assert.Equal(Dim, reader.Dimension);
        Assert.Equal((long)Rows, reader.Count);
        float[] row = new float[Dim];
        for (int r = 0; r < Rows; r++)
        {
            Assert.True(reader.TryReadNext(row, out long id));
            Assert.Equal(r, id);
            for (int c = 0; c < Dim; c++)
            {
                Assert.Equal(expected(r, c), row[c]);
            }
        }

        Assert.False(reader.TryReadNext(row, out _));
    }
}
