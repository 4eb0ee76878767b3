using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Selection;

public class TopKHeapTests
{
    [Theory]
    [InlineData(1, 100)]
    [InlineData(10, 1000)]
    [InlineData(100, 150)]
    [InlineData(50, 20)]
    public void Keeps_the_k_smallest_sorted_with_ties_to_the_smaller_id(int k, int n)
    {
        var rng = new Random(k * 7 + n);
        // Few distinct distances: plenty of ties, so the id tie-break is exercised.
        var items = Enumerable.Range(0, n).Select(i => (d: (float)rng.Next(20), id: (long)rng.Next(1_000_000))).DistinctBy(x => x.id).ToArray();
        var dist = new float[k];
        var ids = new long[k];
        var heap = new TopKHeap(dist, ids);
        foreach (var (d, id) in items)
            heap.Push(d, id);
        int count = heap.SortAscending();

        var expected = items.OrderBy(x => x.d).ThenBy(x => x.id).Take(k).ToArray();
        Assert.Equal(expected.Length, count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(expected[i].d, dist[i]);
            Assert.Equal(expected[i].id, ids[i]);
        }
        for (int i = count; i < k; i++)
        {
            Assert.Equal(-1, ids[i]);
            Assert.Equal(float.PositiveInfinity, dist[i]);
        }
    }

    [Fact]
    public void Threshold_is_infinite_until_full_then_the_worst_kept()
    {
        var heap = new TopKHeap(new float[2], new long[2]);
        Assert.Equal(float.PositiveInfinity, heap.Threshold);
        heap.Push(5, 1);
        Assert.Equal(float.PositiveInfinity, heap.Threshold);
        heap.Push(3, 2);
        Assert.Equal(5, heap.Threshold);
        Assert.False(heap.Push(6, 3));
        Assert.True(heap.Push(5, 0)); // same distance, smaller id wins
        Assert.Equal(5, heap.Threshold);
        Assert.True(heap.Push(1, 9));
        Assert.Equal(3, heap.Threshold);
    }

    [Fact]
    public void Push_allocates_nothing()
    {
        var d = new float[16];
        var ids = new long[16];
        var rng = new Random(1);
        var values = Enumerable.Range(0, 10_000).Select(_ => rng.NextSingle()).ToArray();
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            var heap = new TopKHeap(d, ids);
            for (int i = 0; i < values.Length; i++)
                heap.Push(values[i], i);
            heap.SortAscending();
        });
        Assert.Equal(0, bytes);
    }
}
