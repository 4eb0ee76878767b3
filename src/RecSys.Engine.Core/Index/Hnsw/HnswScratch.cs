using System.Runtime.InteropServices;
using RecSys.Engine.Core.Vectors.Selection;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>A node and its distance to the current query (smaller is closer).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct HnswCandidate(float distance, int node)
{
    public float Distance = distance;
    public int Node = node;
}

/// <summary>
/// Working memory of a graph search: the visited set and both heaps. Rented for one search (or insert, or list
/// repair) from a small shared pool and returned after it, so a search allocates nothing once warm.
/// <para>
/// A pool, not one per thread: the visited set takes 2 bytes a node (2 MB at 1M nodes, 20 MB at 10M), and a server's
/// thread pool runs dozens of threads, most of them waiting on I/O. Per thread, every thread that ever searched kept
/// one, and every new thread made one; pooled, there are about as many as searches run at once (a search never
/// yields its thread), and the pool keeps at most <see cref="PoolSize"/>.
/// </para>
/// <para>
/// The visited set is hnswlib's: a ushort tag per node and a generation counter; "visited" means
/// tag == generation, and a new search just increments the generation. The array is cleared only when the
/// counter wraps (once every 65,535 searches), not per query.
/// </para>
/// </summary>
internal sealed class HnswScratch
{
    /// <summary>
    /// Scratches kept between searches: a few per core covers searches preempted mid-walk. Past it, a search makes a
    /// scratch of its own and the pool drops it on return, so a burst of concurrency above this churns the large-object
    /// heap instead of keeping the memory.
    /// </summary>
    internal static readonly int PoolSize = Math.Max(8, Environment.ProcessorCount * 4);

    private static readonly HnswScratch?[] s_pool = new HnswScratch?[PoolSize];

    public ushort[] Tags = new ushort[1024];
    public ushort Generation;
    // The two heaps of the beam loop order by distance alone (no tie rule: the sift steps decide among equal
    // distances, the same way every time).
    public ArrayHeap<HnswCandidate, CloserFirst> Candidates = new(256); // closest at the root: expanded next
    public ArrayHeap<HnswCandidate, FartherFirst> Results = new(256);  // farthest at the root: replaced first
    public HnswCandidate[] Sorted = new HnswCandidate[256];      // results drained closest first
    public HnswCandidate[] Selected = new HnswCandidate[256];    // heuristic output
    public HnswCandidate[] Pruned = new HnswCandidate[256];      // heuristic rejects (keep-pruned option)
    public HnswCandidate[] Beam = new HnswCandidate[256];        // sorted beam of an unfiltered search (expanded: node's top bit)
    /// <summary>Whether the planner last sent a filtered search to the admitted-only walk (what the tests read through the SearchedWith seam).</summary>
    public bool AdmittedWalk;
    private float[] _query = [];
    private int _queryAt;
    private float[] _querySplit = [];
    private int _querySplitAt;

    /// <summary>A scratch for one search: a pooled one when there is one, else a new one. Give it back with <see cref="Return"/>.</summary>
    public static HnswScratch Rent()
    {
        // From a slot of the thread's own (it finds the scratch it returned last, warm in its cache, and threads on
        // different cores start on different slots instead of all contending for the first).
        var pool = s_pool;
        int start = Environment.CurrentManagedThreadId % pool.Length;
        for (int i = 0; i < pool.Length; i++)
        {
            int slot = start + i < pool.Length ? start + i : start + i - pool.Length;
            var s = Interlocked.Exchange(ref pool[slot], null);
            if (s is not null)
                return s;
        }
        return new HnswScratch();
    }

    /// <summary>Gives a rented scratch back; one the full pool has no room for is left to the collector.</summary>
    public static void Return(HnswScratch scratch)
    {
        var pool = s_pool;
        int start = Environment.CurrentManagedThreadId % pool.Length;
        for (int i = 0; i < pool.Length; i++)
        {
            int slot = start + i < pool.Length ? start + i : start + i - pool.Length;
            if (Interlocked.CompareExchange(ref pool[slot], scratch, null) is null)
                return;
        }
    }

    /// <summary>
    /// The query as the walk reads it: <paramref name="floats"/> floats starting on a 64-byte boundary, so every
    /// full-width load of it stays inside one cache line (the rows are 64-byte aligned too). A load that straddles
    /// two lines costs a second access; with a query at an arbitrary 8-byte offset, most Vector512 loads did.
    /// </summary>
    public Span<float> Query(int floats) => AlignedSpan(ref _query, ref _queryAt, floats);

    /// <summary>
    /// The bf16 walk's split query (<see cref="Vectors.Kernels.BFloat16SplitQueryKernel"/>): its even elements at
    /// [0, <paramref name="evenLength"/>), its odd ones from the returned offset, both on 64-byte boundaries.
    /// </summary>
    public Span<float> QuerySplit(int evenLength, int oddLength, out int oddAt)
    {
        oddAt = (evenLength + 15) & ~15;
        return AlignedSpan(ref _querySplit, ref _querySplitAt, oddAt + oddLength);
    }

    /// <summary>
    /// A pinned array (the pinned object heap never moves it, so the offset found once stays aligned) with 16 floats
    /// of slack; reallocated only when a longer query arrives.
    /// </summary>
    private static unsafe Span<float> AlignedSpan(ref float[] buffer, ref int at, int floats)
    {
        if (buffer.Length - at < floats)
        {
            buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
            fixed (float* p = buffer)
                at = (int)((64 - ((nint)p & 63)) & 63) / sizeof(float);
        }
        return buffer.AsSpan(at, floats);
    }

    /// <summary>Starts a new visited set covering node ids below <paramref name="nodeCapacity"/>.</summary>
    public void BeginVisit(int nodeCapacity)
    {
        if (Tags.Length < nodeCapacity)
        {
            Tags = new ushort[Math.Max(nodeCapacity, Tags.Length * 2)];
            Generation = 0;
        }
        if (++Generation == 0)
        {
            Array.Clear(Tags);
            Generation = 1;
        }
        Candidates.Clear();
        Results.Clear();
    }

    public void EnsureHeaps(int size)
    {
        if (Candidates.Capacity < size + 1)
        {
            int n = Math.Max(size + 1, Candidates.Capacity * 2);
            Candidates.ClearWithCapacity(n);
            Results.ClearWithCapacity(n);
            Sorted = new HnswCandidate[n];
            Selected = new HnswCandidate[n];
            Pruned = new HnswCandidate[n];
        }
        if (Beam.Length < size)
            Beam = new HnswCandidate[Math.Max(size, Beam.Length * 2)];
    }

    /// <summary>Moves the results into <see cref="Sorted"/>, closest first (ties: smaller node); returns the count.</summary>
    public int DrainResultsSorted()
    {
        int n = Results.Count;
        if (Sorted.Length < n)
            Sorted = new HnswCandidate[Math.Max(n, Sorted.Length * 2)];
        Results.Entries.CopyTo(Sorted);
        SortClosestFirst(Sorted.AsSpan(0, n));
        Results.Clear();
        return n;
    }

    /// <summary>Sorts by distance, ties to the smaller node: the order of every list a search or insert returns.</summary>
    public static void SortClosestFirst(Span<HnswCandidate> items) =>
        items.Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Node.CompareTo(b.Node));

    /// <summary>The candidates' order: the closest open node is expanded next.</summary>
    internal readonly struct CloserFirst : IHeapOrder<HnswCandidate>
    {
        public static bool Precedes(in HnswCandidate a, in HnswCandidate b) => a.Distance < b.Distance;
    }

    /// <summary>The results' order: the farthest kept node is the one a closer one replaces.</summary>
    internal readonly struct FartherFirst : IHeapOrder<HnswCandidate>
    {
        public static bool Precedes(in HnswCandidate a, in HnswCandidate b) => a.Distance > b.Distance;
    }
}
