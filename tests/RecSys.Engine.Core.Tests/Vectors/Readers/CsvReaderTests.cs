using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Readers;

public sealed class CsvReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void HeaderBlankLinesAndIds_AreHandled()
    {
        string path = Write("items.csv", "item_id,f0,f1,f2\n\n42,1.5,-2,3e2\n   \n-7, 0.25 ,1E-3,-0\r\n9000000000,4,5,6");

        using IVectorReader reader = VectorReaders.Open(path);
        Assert.IsType<CsvReader>(reader);
        Assert.Equal(3, reader.Dimension);
        Assert.Null(reader.Count);
        float[] row = new float[3];

        Assert.True(reader.TryReadNext(row, out long id));
        Assert.Equal(42, id);
        Assert.Equal([1.5f, -2f, 300f], row);

        Assert.True(reader.TryReadNext(row, out id));
        Assert.Equal(-7, id);
        Assert.Equal([0.25f, 1e-3f, -0f], row);

        Assert.True(reader.TryReadNext(row, out id));
        Assert.Equal(9_000_000_000, id);
        Assert.Equal([4f, 5f, 6f], row);

        Assert.False(reader.TryReadNext(row, out _));
    }

    [Fact]
    public void NoHeader_FirstLineIsData()
    {
        string path = Write("plain.csv", "\uFEFF1,0.1,0.2\n2,0.3,0.4\n");
        using var reader = new CsvReader(path);
        Assert.Equal(2, reader.Dimension);
        float[] row = new float[2];
        Assert.True(reader.TryReadNext(row, out long id));
        Assert.Equal(1, id);
        Assert.Equal([0.1f, 0.2f], row);
        Assert.True(reader.TryReadNext(row, out id));
        Assert.Equal(2, id);
        Assert.Equal([0.3f, 0.4f], row);
        Assert.False(reader.TryReadNext(row, out _));
    }

    [Fact]
    public void BadNumber_NamesFileAndLine()
    {
        string path = Write("bad.csv", "id,a,b\n1,1,2\n\n2,3,x4\n");
        using var reader = new CsvReader(path);
        float[] row = new float[2];
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("bad.csv", e.Message);
        Assert.Contains("line 4", e.Message);
        Assert.Contains("'x4' is not a number", e.Message);
    }

    [Theory]
    [InlineData("1,1,2\n2,3\n", 2, 2)]
    [InlineData("1,1,2\n2,3,4,5\n", 2, 4)]
    [InlineData("1,1,2\n3\n", 2, 1)]
    public void WrongFieldCount_NamesLineAndCounts(string text, int line, int found)
    {
        string path = Write("ragged.csv", text);
        using var reader = new CsvReader(path);
        float[] row = new float[2];
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("ragged.csv", e.Message);
        Assert.Contains($"line {line}", e.Message);
        Assert.Contains($"expected 3 fields", e.Message);
        Assert.Contains($"found {found}", e.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e39")]
    public void NonFiniteValue_IsRejected(string value)
    {
        string path = Write("nan.csv", $"1,1,{value}\n");
        using var reader = new CsvReader(path);
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(new float[2], out _));
        Assert.Contains("line 1", e.Message);
        Assert.Contains("not a finite float32", e.Message);
    }

    [Fact]
    public void NonIntegerId_IsRejected()
    {
        string path = Write("id.csv", "1,1\n2.5,2\n");
        using var reader = new CsvReader(path);
        float[] row = new float[1];
        Assert.True(reader.TryReadNext(row, out _));
        var e = Assert.Throws<InvalidDataException>(() => reader.TryReadNext(row, out _));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("id '2.5' is not an int64", e.Message);
    }

    [Fact]
    public void SecondHeaderLine_IsAnError()
    {
        // Only the first non-blank line may be a header; later text rows are bad data, not headers.
        string path = Write("twoheaders.csv", "id,a\nname,b\n1,2\n");
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            using var reader = new CsvReader(path);
            reader.TryReadNext(new float[1], out _);
        });
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void HeaderOnly_HasNoDimension()
    {
        string path = Write("header.csv", "id,a,b\n\n");
        var e = Assert.Throws<InvalidDataException>(() => new CsvReader(path));
        Assert.Contains("header.csv", e.Message);
        Assert.Contains("no data rows", e.Message);
    }

    [Fact]
    public void LinesLongerThanTheBuffer_AreRead()
    {
        // 40k values of ~8 bytes make ~330 KB lines, so lines straddle the 1 MiB buffer's refills;
        // the 4th line (~50 bytes a value, ~2 MB) is longer than the buffer and forces it to grow.
        const int d = 40_000;
        string Line(int id, int width) => id + "," + string.Join(",", Enumerable.Range(0, d).Select(i => ((i % 1000) + (id / 10f)).ToString("F" + width, System.Globalization.CultureInfo.InvariantCulture)));
        string path = Write("wide.csv", string.Join("\n", Line(1, 3), Line(2, 3), Line(3, 3), Line(4, 45)));

        using var reader = new CsvReader(path);
        Assert.Equal(d, reader.Dimension);
        float[] row = new float[d];
        for (int id = 1; id <= 4; id++)
        {
            Assert.True(reader.TryReadNext(row, out long got));
            Assert.Equal(id, got);
            Assert.Equal((999 % 1000) + (id / 10f), row[999], 3);
            Assert.Equal((d - 1) % 1000 + (id / 10f), row[d - 1], 3);
        }

        Assert.False(reader.TryReadNext(row, out _));
    }

    private string Write(string name, string text)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }
}
