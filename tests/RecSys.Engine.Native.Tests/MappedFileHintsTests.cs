using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Native;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Native.Tests;

/// <summary>The hints applied where they are meant to be used: on a mapped vector file of a loaded index.</summary>
public sealed unsafe class MappedFileHintsTests : IDisposable
{
    private readonly string _dir = VectorTestData.TempDirectory();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Loaded_index_mapping_accepts_random_access_and_willneed_advice()
    {
        var rows = VectorTestData.ClusteredRows(3, 300, 32);
        using (var index = new FlatIndex(32, DistanceMetric.L2))
        {
            index.Add(Enumerable.Range(0, 300).Select(i => (long)i).ToArray(), rows);
            index.Save(_dir);
        }

        var results = new List<NativeCallResult>();
        using var loaded = FlatIndex.Load(_dir, mapped =>
        {
            results.Add(MemoryHints.Advise(mapped.MappingPointer, (nuint)mapped.MappingLength, MemoryAdvice.Random));
            results.Add(MemoryHints.Advise(mapped.MappingPointer, (nuint)mapped.MappingLength, MemoryAdvice.WillNeed));
        });
        Assert.Equal(2, results.Count);
        if (OperatingSystem.IsLinux())
            Assert.All(results, r => Assert.True(r.Applied, r.Reason));

        // The advice changes paging only, never the data.
        var ids = new long[1];
        var d = new float[1];
        loaded.Search(rows.AsSpan(32 * 7, 32), 1, ids, d);
        Assert.Equal(7, ids[0]);
        Assert.Equal(0f, d[0]);
    }
}
