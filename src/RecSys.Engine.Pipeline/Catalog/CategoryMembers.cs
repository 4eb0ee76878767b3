namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>
/// The items of each category as an ordinal list (a posting list), so a request filtered to a few categories can score
/// their items directly instead of walking an index graph that admits only them: categories follow the embedding space,
/// so a graph walk from a query in one region to a category in another crosses much of the graph (at 1M items, one
/// category of 16 took 110-150 ms a request that way).
/// <para>
/// Lists only grow: an item joins the lists of the categories it gains and stays in those it leaves (the request filter
/// still tests each item, so a stale member is refused there), and an item that leaves a category and joins it again
/// appears twice (<see cref="Abstractions.RequestContext.ListedItems"/> lists it once). One writer (the catalog's, serialised by the
/// pipeline); readers take a list without a lock: the count is published after the element, and a grown array holds
/// every element the old one did.
/// </para>
/// </summary>
public sealed class CategoryMembers
{
    private Members?[] _lists = [];

    /// <summary>Members of <paramref name="category"/> (stale ones included, see the class remarks); empty for an unknown one.</summary>
    public ReadOnlySpan<int> Of(int category)
    {
        var lists = Volatile.Read(ref _lists);
        return (uint)category < (uint)lists.Length && lists[category] is { } m ? m.Snapshot() : default;
    }

    /// <summary>Length of <see cref="Of"/> for <paramref name="category"/>.</summary>
    public int CountOf(int category)
    {
        var lists = Volatile.Read(ref _lists);
        return (uint)category < (uint)lists.Length && lists[category] is { } m ? Volatile.Read(ref m.Count) : 0;
    }

    /// <summary>Adds <paramref name="ordinal"/> to each category of <paramref name="now"/> that <paramref name="before"/> lacks. Serialised by the caller.</summary>
    internal void Update(int ordinal, ReadOnlySpan<int> before, ReadOnlySpan<int> now)
    {
        foreach (int category in now)
        {
            if (category < 0 || before.Contains(category))
                continue;
            var lists = _lists;
            if (category >= lists.Length)
            {
                var grown = new Members?[Math.Max(category + 1, lists.Length * 2)];
                lists.AsSpan().CopyTo(grown);
                Volatile.Write(ref _lists, lists = grown);
            }
            (lists[category] ??= new Members()).Append(ordinal);
        }
    }

    private sealed class Members
    {
        public int[] Items = new int[16];
        public int Count;

        public ReadOnlySpan<int> Snapshot()
        {
            // Count first: whichever array is read next holds at least that many elements.
            int n = Volatile.Read(ref Count);
            return Volatile.Read(ref Items).AsSpan(0, n);
        }

        public void Append(int ordinal)
        {
            var items = Items;
            if (Count == items.Length)
            {
                var grown = new int[items.Length * 2];
                items.AsSpan().CopyTo(grown);
                grown[Count] = ordinal;
                Volatile.Write(ref Items, grown);
            }
            else
            {
                items[Count] = ordinal;
            }
            Volatile.Write(ref Count, Count + 1);
        }
    }
}
