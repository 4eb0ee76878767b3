using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>A node and its distance to the current query (smaller is closer).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct HnswCandidate(float distance, int node)
{
    public float Distance = distance;
    public int Node = node;
}

/// <summary>
/// Per-thread working memory of a graph search: the visited set and both heaps. One per thread, reused by
/// every search on that thread, so a search allocates nothing once warm.
/// <para>
/// The visited set is hnswlib's: a ushort tag per node and a generation counter; "visited" means
/// tag == generation, and a new search just increments the generation. The array is cleared only when the
/// counter wraps (once every 65,535 searches), not per query.
/// </para>
/// </summary>
internal sealed class HnswScratch
{
    [ThreadStatic]
    private static HnswScratch? t_current;

    public ushort[] Tags = new ushort[1024];
    public ushort Generation;
    public HnswCandidate[] Candidates = new HnswCandidate[256]; // min-heap: closest at the root
    public int CandidateCount;
    public HnswCandidate[] Results = new HnswCandidate[256];    // max-heap: farthest at the root
    public int ResultCount;
    public HnswCandidate[] Sorted = new HnswCandidate[256];      // results drained closest first
    public HnswCandidate[] Selected = new HnswCandidate[256];    // heuristic output
    public HnswCandidate[] Pruned = new HnswCandidate[256];      // heuristic rejects (keep-pruned option)
    public HnswCandidate[] Beam = new HnswCandidate[256];        // sorted beam of an unfiltered search (expanded: node's top bit)
    public float[] Query = new float[16];

    public static HnswScratch Current => t_current ??= new HnswScratch();

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
        CandidateCount = 0;
        ResultCount = 0;
    }

    public void EnsureHeaps(int size)
    {
        if (Candidates.Length < size + 1)
        {
            int n = Math.Max(size + 1, Candidates.Length * 2);
            Candidates = new HnswCandidate[n];
            Results = new HnswCandidate[n];
            Sorted = new HnswCandidate[n];
            Selected = new HnswCandidate[n];
            Pruned = new HnswCandidate[n];
        }
        if (Beam.Length < size)
            Beam = new HnswCandidate[Math.Max(size, Beam.Length * 2)];
    }

    // The heaps below index with Unsafe.Add: every index is < count <= Length by construction, and the
    // bounds checks were a measurable share of a search that does a few hundred pushes and pops.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushCandidate(float d, int node)
    {
        int i = CandidateCount++;
        if (i >= Candidates.Length)
            Array.Resize(ref Candidates, Candidates.Length * 2);
        ref HnswCandidate h = ref MemoryMarshal.GetArrayDataReference(Candidates);
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            ref HnswCandidate parent = ref Unsafe.Add(ref h, p);
            if (parent.Distance <= d)
                break;
            Unsafe.Add(ref h, i) = parent;
            i = p;
        }
        Unsafe.Add(ref h, i) = new HnswCandidate(d, node);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PopCandidate()
    {
        ref HnswCandidate h = ref MemoryMarshal.GetArrayDataReference(Candidates);
        int n = --CandidateCount;
        if (n <= 0)
            return;
        var last = Unsafe.Add(ref h, n);
        int i = 0;
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= n)
                break;
            if (c + 1 < n && Unsafe.Add(ref h, c + 1).Distance < Unsafe.Add(ref h, c).Distance)
                c++;
            if (Unsafe.Add(ref h, c).Distance >= last.Distance)
                break;
            Unsafe.Add(ref h, i) = Unsafe.Add(ref h, c);
            i = c;
        }
        Unsafe.Add(ref h, i) = last;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushResult(float d, int node)
    {
        int i = ResultCount++;
        if (i >= Results.Length)
            Array.Resize(ref Results, Results.Length * 2);
        ref HnswCandidate h = ref MemoryMarshal.GetArrayDataReference(Results);
        while (i > 0)
        {
            int p = (i - 1) >> 1;
            ref HnswCandidate parent = ref Unsafe.Add(ref h, p);
            if (parent.Distance >= d)
                break;
            Unsafe.Add(ref h, i) = parent;
            i = p;
        }
        Unsafe.Add(ref h, i) = new HnswCandidate(d, node);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PopResult()
    {
        ref HnswCandidate h = ref MemoryMarshal.GetArrayDataReference(Results);
        int n = --ResultCount;
        if (n <= 0)
            return;
        var last = Unsafe.Add(ref h, n);
        int i = 0;
        while (true)
        {
            int c = 2 * i + 1;
            if (c >= n)
                break;
            if (c + 1 < n && Unsafe.Add(ref h, c + 1).Distance > Unsafe.Add(ref h, c).Distance)
                c++;
            if (Unsafe.Add(ref h, c).Distance <= last.Distance)
                break;
            Unsafe.Add(ref h, i) = Unsafe.Add(ref h, c);
            i = c;
        }
        Unsafe.Add(ref h, i) = last;
    }

    /// <summary>Moves the results into <see cref="Sorted"/>, closest first (ties: smaller node); returns the count.</summary>
    public int DrainResultsSorted()
    {
        int n = ResultCount;
        if (Sorted.Length < n)
            Sorted = new HnswCandidate[Math.Max(n, Sorted.Length * 2)];
        Array.Copy(Results, Sorted, n);
        Sorted.AsSpan(0, n).Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Node.CompareTo(b.Node));
        ResultCount = 0;
        return n;
    }
}
