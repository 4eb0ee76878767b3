using System.Runtime.InteropServices;

namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>
/// Renumbering the nodes for memory locality (Coleman et al., "Graph Reordering for Cache-Efficient Near Neighbor
/// Search", 2022): the same graph, its nodes stored in a different order.
/// <code>
///   order:  breadth-first over level 0 from the entry point (lists in stored order), unreached nodes after, by id
///   copy:   new index; node p = old node order[p]: row, bf16 row, meta, label copied; every link id renamed
/// </code>
/// A search of the copy visits the same nodes in the same order and returns the same ids and distances; only the
/// addresses differ, so the nodes one walk reaches sit nearer each other in memory.
/// </summary>
public sealed unsafe partial class HnswIndex
{
    /// <summary>
    /// A copy of this index with its nodes in breadth-first order of the level-0 graph: same answers, nearer rows.
    /// Writers are held off while it copies; readers are not. The copy owns its rows (a loaded index's mapped rows
    /// are copied) and holds about as much memory as this one.
    /// </summary>
    public HnswIndex Reordered() => Reordered(identity: false);

    /// <summary>The same copy in the current order (the A/B harness's control: same allocation, same layout code).</summary>
    internal HnswIndex Reordered(bool identity)
    {
        lock (_writeLock)
        {
            ThrowIfDisposed();
            var t = _tables;
            int n = _nodeCount;
            int[] order = identity ? IdentityOrder(n) : BreadthFirstOrder(t, n, UnpackNode(_entry));
            var newPos = new int[n];
            for (int p = 0; p < n; p++)
                newPos[order[p]] = p;

            var copy = new HnswIndex(Dimension, Metric, Options);
            try
            {
                copy.EnsureCapacity(n);
                var ct = copy._tables;
                long rowBytes = (long)RowStrideFloats * sizeof(float);
                long bf16Bytes = (long)Bf16StrideUShorts * sizeof(ushort);
                long upperInts = 0;
                for (int p = 0; p < n; p++)
                {
                    int o = order[p];
                    Buffer.MemoryCopy(VectorOf(t, o), copy.VectorOf(ct, p), rowBytes, rowBytes);
                    if (bf16Bytes > 0)
                        Buffer.MemoryCopy(Bf16Of(t, o), copy.Bf16Of(ct, p), bf16Bytes, bf16Bytes);
                    *LabelOf(ct, p) = *LabelOf(t, o);
                    CopyList(Links0Of(t, o), copy.Links0Of(ct, p), newPos);
                    int meta = *MetaOf(t, o);
                    int level = meta & LevelMask;
                    if (level > 0)
                    {
                        nuint ints = (nuint)level * (nuint)_upperStride;
                        var upper = (int*)NativeMemory.AllocZeroed(ints, sizeof(int));
                        *UpperSlotOf(ct, p) = (nint)upper;
                        upperInts += (long)ints;
                        for (int l = 1; l <= level; l++)
                            CopyList(LinksOf(t, o, l), upper + (long)(l - 1) * _upperStride, newPos);
                    }
                    *MetaOf(ct, p) = meta;
                    // Counted as they are copied: Dispose frees the upper lists of nodes [0, _nodeCount) only.
                    copy._nodeCount = p + 1;
                }
                int entry = UnpackNode(_entry);
                copy._entry = PackEntry(entry < 0 ? -1 : newPos[entry], UnpackLevel(_entry));
                copy._liveCount = _liveCount;
                copy._deletedCount = _deletedCount;
                copy._upperInts = upperInts;
                copy._ordinalOf = null; // built on the first write, as after Load
                return copy;
            }
            catch
            {
                copy.Dispose();
                throw;
            }
        }
    }

    /// <summary>The node searches start from (-1 when empty): tests check that a reordered copy starts its order there.</summary>
    internal int EntryNode => UnpackNode(Volatile.Read(ref _entry));

    /// <summary>The external id stored at <paramref name="node"/>: the node order itself, for tests.</summary>
    internal long ExternalIdAt(int node)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)node, (uint)NodeCount, nameof(node));
        return *LabelOf(_tables, node);
    }

    /// <summary>Writes [count | ids] with every id renamed to its new position.</summary>
    private static void CopyList(int* src, int* dst, int[] newPos)
    {
        int count = src[0];
        for (int i = 1; i <= count; i++)
            dst[i] = newPos[src[i]];
        dst[0] = count;
    }

    private static int[] IdentityOrder(int n)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++)
            order[i] = i;
        return order;
    }

    /// <summary>New position -> old node: breadth-first over level 0 from <paramref name="entry"/>, then the rest by id.</summary>
    private int[] BreadthFirstOrder(NodeTables t, int n, int entry)
    {
        var order = new int[n];
        var placed = new bool[n];
        int head = 0, tail = 0, scan = 0;
        if (entry >= 0)
        {
            order[tail++] = entry;
            placed[entry] = true;
        }
        // The queue is the order itself: nodes are placed when first seen, and expanded in that order.
        while (true)
        {
            while (head < tail)
            {
                int* links = Links0Of(t, order[head++]);
                int count = links[0];
                for (int i = 1; i <= count; i++)
                {
                    int v = links[i];
                    if (!placed[v])
                    {
                        placed[v] = true;
                        order[tail++] = v;
                    }
                }
            }
            if (tail == n)
                return order;
            // A node no list points at (possible after deletions): start a new walk from the first one.
            while (placed[scan])
                scan++;
            order[tail++] = scan;
            placed[scan] = true;
        }
    }
}
