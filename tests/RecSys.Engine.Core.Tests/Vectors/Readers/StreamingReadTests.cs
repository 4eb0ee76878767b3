using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Readers;

/// <summary>Runs alone (see <see cref="StreamingReadCollection"/>): it measures process-wide allocation.</summary>
[Collection(nameof(StreamingReadTests))]
public sealed class StreamingReadTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReadingA64MbFvecsFile_AllocatesNeitherPerRowNorTheWholeFile()
    {
        const int d = 128;
        const int rows = 130_000; // 130k x (4 + 512) bytes = ~67 MB
        string path = _dir.File("big.fvecs");
        float[] row = new float[d];
        using (var writer = new FvecsWriter(path, d))
        {
            for (int i = 0; i < rows; i++)
            {
                Fill(row, i);
                writer.Append(row);
            }
        }

        Assert.True(new FileInfo(path).Length > 64_000_000);
        float[] expected = new float[d];
        using var reader = new FvecsReader(path);

        // The first row pays for one-time costs (stream buffer, JIT); measure the steady state.
        Assert.True(reader.TryReadNext(row, out _));
        long readRows = 1;
        double checksum = 0;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        long beforeThread = GC.GetAllocatedBytesForCurrentThread();
        long badIds = 0, badRows = 0;

        // No Assert inside the loop: xunit's comparers allocate, and this loop must not.
        while (reader.TryReadNext(row, out long id))
        {
            badIds += id == readRows ? 0 : 1;
            checksum += row[(int)(id % d)];
            if (id % 9973 == 0)
            {
                Fill(expected, (int)id);
                badRows += expected.AsSpan().SequenceEqual(row) ? 0 : 1;
            }

            readRows++;
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        long allocatedThread = GC.GetAllocatedBytesForCurrentThread() - beforeThread;

        Assert.Equal(rows, readRows);
        Assert.Equal(0, badIds);
        Assert.Equal(0, badRows);
        Assert.True(checksum > 0);
        Assert.True(allocatedThread < 64 * 1024, $"reader thread allocated {allocatedThread} bytes over {rows} rows");
        Assert.True(allocated < 1024 * 1024, $"process allocated {allocated} bytes while reading {rows} rows");
    }

    [Fact]
    public void ReadingCsv_AllocatesNothingPerRow()
    {
        const int d = 16;
        const int rows = 50_000; // ~4 MB of text: several refills of the 1 MiB buffer
        string path = _dir.File("big.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.WriteLine("id," + string.Join(",", Enumerable.Range(0, d).Select(j => $"f{j}")));
            for (int i = 0; i < rows; i++)
            {
                writer.Write(i * 3L);
                for (int j = 0; j < d; j++)
                {
                    writer.Write(',');
                    writer.Write((i + (j * 0.25f)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                writer.WriteLine();
            }
        }

        using var reader = new CsvReader(path);
        float[] row = new float[d];
        float[] expected = new float[d];
        Assert.True(reader.TryReadNext(row, out _));
        long readRows = 1, badRows = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (reader.TryReadNext(row, out long id))
        {
            Fill(expected, (int)readRows);
            badRows += id == readRows * 3 && expected.AsSpan().SequenceEqual(row) ? 0 : 1;
            readRows++;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(rows, readRows);
        Assert.Equal(0, badRows);
        Assert.True(allocated < 16 * 1024, $"CSV reader allocated {allocated} bytes over {rows} rows");
    }

    private static void Fill(float[] row, int i)
    {
        for (int j = 0; j < row.Length; j++)
        {
            row[j] = i + (j * 0.25f);
        }
    }
}
