using RecSys.Engine.Core.Vectors.Storage;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Storage;

public unsafe class LargePageMemoryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(3 << 20)]
    public void Allocations_are_zeroed_aligned_writable_and_freed(int bytes)
    {
        byte* p = (byte*)LargePageMemory.Allocate((nuint)bytes);
        try
        {
            Assert.Equal(0, (long)((nuint)p % 64));
            if (LargePageMemory.Enabled)
                Assert.Equal(0, (long)((nuint)p % LargePageMemory.HugePageBytes));
            var span = new Span<byte>(p, bytes);
            Assert.Equal(-1, span.IndexOfAnyExcept((byte)0));
            span.Fill(0xA5);
            Assert.Equal(-1, span.IndexOfAnyExcept((byte)0xA5));
        }
        finally
        {
            LargePageMemory.Free(p, (nuint)bytes);
        }
    }

    [Fact]
    public void On_linux_the_range_is_advised_for_huge_pages()
    {
        if (!LargePageMemory.Enabled)
            return; // off Linux (or switched off) the fallback is a plain aligned allocation: nothing to advise
        const int bytes = 5 << 20;
        byte* p = (byte*)LargePageMemory.Allocate(bytes);
        try
        {
            new Span<byte>(p, bytes).Fill(1);
            var mapping = ProcessMappings.Containing((ulong)p);
            Assert.NotNull(mapping);
            // smaps' VmFlags: "hg" = MADV_HUGEPAGE was applied to this mapping (whether the kernel found free huge pages
            // is its business and varies with fragmentation; the advice is what we control).
            Assert.True(mapping!.Value.AdvisedHugePages, mapping.Value.VmFlags);
            Assert.True(mapping.Value.Start <= (ulong)p && (ulong)p + bytes <= mapping.Value.End);
        }
        finally
        {
            LargePageMemory.Free(p, bytes);
        }
    }

    [Fact]
    public void A_mapped_vector_file_advised_for_huge_pages_reads_back_the_same_rows()
    {
        string dir = VectorTestData.TempDirectory();
        try
        {
            const int n = 9000, dim = 96; // 3.4 MiB of rows: more than one 2 MiB page
            string path = Path.Combine(dir, "rows.vec");
            var rows = VectorTestData.ClusteredRows(3, n, dim);
            using (var w = new VectorFileWriter(path, dim, RecSys.Engine.Core.Vectors.DistanceMetric.L2))
            {
                for (int i = 0; i < n; i++)
                    w.Append(rows.AsSpan(i * dim, dim));
                w.Complete();
            }
            using var mapped = MappedVectorFile.Open(path);
            string? why = mapped.PreferHugePages();
            if (!OperatingSystem.IsLinux())
            {
                Assert.Equal("not Linux", why);
                return;
            }
            Assert.Null(why);
            // The cached pages were dropped: every row must come back from disk bit for bit.
            for (int i = 0; i < n; i++)
                Assert.True(mapped.GetRow(i).SequenceEqual(rows.AsSpan(i * dim, dim)), $"row {i} differs after the cache drop");
            var mapping = ProcessMappings.Containing((ulong)mapped.RowsPointer);
            Assert.NotNull(mapping);
            Assert.True(mapping!.Value.AdvisedHugePages, mapping.Value.VmFlags);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
