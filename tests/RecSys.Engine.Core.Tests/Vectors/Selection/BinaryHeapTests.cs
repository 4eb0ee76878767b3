using RecSys.Engine.Core.Vectors.Selection;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Core.Tests.Vectors.Selection;

/// <summary>
/// The one heap, against a sort: every order it is used with (min and max, with and without an id tie rule),
/// random inputs with many ties, bounded top-k with k below, at and above n, and no allocation.
/// </summary>
public class BinaryHeapTests
{
    /// <summary>Random entries with few distinct distances (so ties are common) and distinct ids.</summary>
    private static Hit[] RandomHits(int n, int seed, int distinctDistances = 8)
    {
        var rng = new Random(seed);
        var ids = Enumerable.Range(0, n).Select(i => i * 7 + 3).OrderBy(_ => rng.Next()).ToArray();
        return ids.Select(id => new Hit(rng.Next(distinctDistances) * 0.5f - 1f, id)).ToArray();
    }

    private static IEnumerable<Hit> SmallestFirstReference(IEnumerable<Hit> hits) => hits.OrderBy(h => h.Distance).ThenBy(h => h.Id);

    private static IEnumerable<Hit> LargestFirstReference(IEnumerable<Hit> hits) => hits.OrderByDescending(h => h.Distance).ThenByDescending(h => h.Id);

    /// <summary>Pushes everything, then pops it all, reading the root before each pop.</summary>
    private static Hit[] PushAllPopAll<TOrder>(Hit[] hits)
        where TOrder : struct, IHeapOrder<Hit>
    {
        var store = new Hit[hits.Length];
        var slots = new EntrySlots<Hit>(store);
        int count = 0;
        foreach (var h in hits)
            BinaryHeap<Hit, TOrder>.Push(slots, ref count, h);
        Assert.Equal(hits.Length, count);
        var popped = new Hit[hits.Length];
        for (int i = 0; i < popped.Length; i++)
        {
            popped[i] = slots.Get(0);
            BinaryHeap<Hit, TOrder>.Pop(slots, ref count);
        }
        Assert.Equal(0, count);
        return popped;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(1000)]
    public void Pops_come_out_in_the_order_of_a_sort_both_ways_ties_by_id(int n)
    {
        var hits = RandomHits(n, seed: n + 1);
        Assert.Equal(SmallestFirstReference(hits).ToArray(), PushAllPopAll<SmallestFirst>(hits));
        Assert.Equal(LargestFirstReference(hits).ToArray(), PushAllPopAll<LargestFirst>(hits));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(300)]
    public void An_order_without_a_tie_rule_pops_sorted_distances_and_loses_no_entry(int n)
    {
        // The HNSW heaps compare distances only: equal distances may come out in any order, but every entry
        // comes out once and the distances are sorted.
        var hits = RandomHits(n, seed: 11, distinctDistances: 3);
        var popped = PushAllPopAll<DistanceOnlySmallestFirst>(hits);
        Assert.Equal(hits.Select(h => h.Distance).Order().ToArray(), popped.Select(h => h.Distance).ToArray());
        Assert.Equal(hits.OrderBy(h => h.Id).ToArray(), popped.OrderBy(h => h.Id).ToArray());
    }

    [Fact]
    public void Interleaved_pushes_and_pops_always_show_the_reference_minimum_at_the_root()
    {
        var rng = new Random(5);
        var store = new Hit[2000];
        var slots = new EntrySlots<Hit>(store);
        int count = 0;
        var reference = new SortedSet<Hit>(Comparer<Hit>.Create((a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id)));
        int nextId = 0;
        for (int step = 0; step < 20_000; step++)
        {
            // Pushes slightly more likely than pops: the heap grows, shrinks to empty at times, and regrows.
            if (count == 0 || (count < store.Length && rng.Next(100) < 55))
            {
                var h = new Hit(rng.Next(50), nextId++);
                BinaryHeap<Hit, SmallestFirst>.Push(slots, ref count, h);
                reference.Add(h);
            }
            else
            {
                Assert.Equal(reference.Min, slots.Get(0));
                BinaryHeap<Hit, SmallestFirst>.Pop(slots, ref count);
                reference.Remove(reference.Min);
            }
            Assert.Equal(reference.Count, count);
            if (count > 0)
                Assert.Equal(reference.Min, slots.Get(0));
        }
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(10, 1000)]
    [InlineData(64, 64)]
    [InlineData(100, 150)]
    [InlineData(50, 20)]   // k > n
    [InlineData(5, 0)]     // nothing offered
    [InlineData(0, 10)]    // no room at all
    public void Offer_keeps_the_k_best_and_sort_returns_them_best_first(int k, int n)
    {
        var hits = RandomHits(n, seed: k * 31 + n);
        var store = new Hit[k];
        var slots = new EntrySlots<Hit>(store);
        int count = 0;
        var refused = new List<Hit>();
        foreach (var h in hits)
        {
            // Worst first: the root is the worst kept, the one a better entry replaces.
            if (!BinaryHeap<Hit, LargestFirst>.Offer(slots, ref count, k, h))
                refused.Add(h);
        }
        var expected = SmallestFirstReference(hits).Take(k).ToArray();
        Assert.Equal(expected.Length, count);
        BinaryHeap<Hit, LargestFirst>.Sort(slots, count);
        Assert.Equal(expected, store[..count]);
        // An entry is refused only when the heap is full and it is no better than the worst kept.
        Assert.All(refused, h => Assert.DoesNotContain(h, expected));
        Assert.True(hits.Length - refused.Count >= Math.Min(k, n));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(9)]
    [InlineData(500)]
    public void Sort_of_a_heap_is_the_reverse_of_its_order(int n)
    {
        var hits = RandomHits(n, seed: 3 * n + 2);
        var store = new Hit[n];
        var slots = new EntrySlots<Hit>(store);
        int count = 0;
        foreach (var h in hits)
            BinaryHeap<Hit, SmallestFirst>.Push(slots, ref count, h);
        BinaryHeap<Hit, SmallestFirst>.Sort(slots, count);
        Assert.Equal(LargestFirstReference(hits).ToArray(), store);
    }

    [Fact]
    public void Slots_over_a_span_work_like_slots_over_an_array()
    {
        // Several heaps in slices of one array (as the ground truth keeps one per query).
        var hits = RandomHits(300, seed: 9);
        var all = new Hit[3 * 10];
        var counts = new int[3];
        for (int i = 0; i < hits.Length; i++)
        {
            int q = i % 3;
            BinaryHeap<Hit, LargestFirst>.Offer(new EntrySlots<Hit>(all.AsSpan(q * 10, 10)), ref counts[q], 10, hits[i]);
        }
        for (int q = 0; q < 3; q++)
        {
            BinaryHeap<Hit, LargestFirst>.Sort(new EntrySlots<Hit>(all.AsSpan(q * 10, 10)), counts[q]);
            var mine = hits.Where((_, i) => i % 3 == q);
            Assert.Equal(SmallestFirstReference(mine).Take(10).ToArray(), all[(q * 10)..(q * 10 + 10)]);
        }
    }

    [Fact]
    public void Push_pop_offer_and_sort_allocate_nothing()
    {
        var hits = RandomHits(5000, seed: 1, distinctDistances: 1000);
        var store = new Hit[hits.Length];
        var top = new Hit[32];
        long bytes = AllocationProbe.FewestBytesPerBatch(() =>
        {
            var slots = new EntrySlots<Hit>(store);
            int count = 0;
            foreach (var h in hits)
                BinaryHeap<Hit, SmallestFirst>.Push(slots, ref count, h);
            for (int i = 0; i < hits.Length / 2; i++)
                BinaryHeap<Hit, SmallestFirst>.Pop(slots, ref count);
            BinaryHeap<Hit, SmallestFirst>.Sort(slots, count);
            var topSlots = new EntrySlots<Hit>(top);
            int kept = 0;
            foreach (var h in hits)
                BinaryHeap<Hit, LargestFirst>.Offer(topSlots, ref kept, top.Length, h);
            BinaryHeap<Hit, LargestFirst>.Sort(topSlots, kept);
        });
        Assert.Equal(0, bytes);
    }

    internal readonly record struct Hit(float Distance, int Id);

    private readonly struct SmallestFirst : IHeapOrder<Hit>
    {
        public static bool Precedes(in Hit a, in Hit b) => a.Distance < b.Distance || (a.Distance == b.Distance && a.Id < b.Id);
    }

    private readonly struct LargestFirst : IHeapOrder<Hit>
    {
        public static bool Precedes(in Hit a, in Hit b) => a.Distance > b.Distance || (a.Distance == b.Distance && a.Id > b.Id);
    }

    private readonly struct DistanceOnlySmallestFirst : IHeapOrder<Hit>
    {
        public static bool Precedes(in Hit a, in Hit b) => a.Distance < b.Distance;
    }
}
