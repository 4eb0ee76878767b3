using RecSys.Engine.Features.Records;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Collections;

namespace RecSys.Engine.Pipeline.Catalog;

/// <summary>
/// The serving catalog, shared by every pipeline version and changed live by item upserts and deletes:
/// <code>
///   Items       external id &lt;-&gt; ordinal (CatalogIdMap: the one id space of store keys, models, indexes)
///   Categories  category name &lt;-&gt; int (the store's ItemMetadata.Categories)
///   Segments    segment key (UserSegments.Key) &lt;-&gt; int (the store's UserProfile.Segment, counters per segment)
///   records     per ordinal: categories, publish time, policy, deleted, impressions (in memory, for filters,
///               diversity and features: the request path reads no item metadata from the store; impressions are
///               kept across restarts by the catalog snapshot, not by the store)
///   CategoryMembers  each category's ordinals (filters to a few categories are scored from them)
///   Content     content vector per ordinal (trained ones, then every item added live), in the active version's
///               vocabulary; a serving version of another vocabulary (an experiment variant) has its own table
///               (PipelineVersion.ContentRows), and requests read their version's
///   recent      the last items added (the new-items source)
/// </code>
/// The store stays the durable copy: <see cref="Serving.ServingBootstrap"/> fills both, and the pipeline writes
/// the store first, then this. Reads are lock-free; writes are serialised by the pipeline.
/// </summary>
public sealed class LiveCatalog
{
    private readonly ChunkedArray<ItemRecord> _records = new();
    private readonly int[] _recent;
    private VectorTable? _content;
    private long _recentAdded;
    private int _length;

    public LiveCatalog(CatalogIdMap items, KeyTable categories, KeyTable segments, int contentDimension = 0, int recentCapacity = 1024)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfLessThan(recentCapacity, 1);
        Items = items;
        Categories = categories;
        Segments = segments;
        _content = contentDimension > 0 ? new VectorTable(contentDimension) : null;
        _recent = new int[recentCapacity];
        _records.EnsureLength(items.Count);
        _length = items.Count;
    }

    public CatalogIdMap Items { get; }

    public KeyTable Categories { get; }

    public KeyTable Segments { get; }

    /// <summary>Each category's items, for requests filtered to a few categories (a superset: see the class).</summary>
    public CategoryMembers CategoryMembers { get; } = new();

    /// <summary>Who interacted with each item a serving ALS model has no row for: what the item's CF row is folded in from.</summary>
    public ItemInteractors Interactors { get; } = new();

    /// <summary>
    /// The active version's content vectors by ordinal (what the catalog snapshot and journal keep); null when the
    /// models have no content encoder. The table is replaced, never rewritten, when a version of another vocabulary is
    /// activated (<see cref="UseContent"/>); its dimension never changes.
    /// </summary>
    public VectorTable? Content => Volatile.Read(ref _content);

    /// <summary>
    /// Makes <paramref name="rows"/> the catalog's content table: the newly active version's (serialised by the caller
    /// with catalog writes). Null (a version without a content model, or a catalog without a content space) keeps the table.
    /// </summary>
    internal void UseContent(VectorTable? rows)
    {
        var current = Content;
        // The catalog's content space is fixed when it is made: attaching refuses a version of another dimension.
        System.Diagnostics.Debug.Assert(rows is null || (current is not null && rows.Dimension == current.Dimension),
            "a version's content rows must be of the catalog's content dimension");
        if (rows is not null)
            Volatile.Write(ref _content, rows);
    }

    /// <summary>Ordinals with a record slot.</summary>
    public int Length => Volatile.Read(ref _length);

    public bool IsDeleted(int ordinal) => (uint)ordinal >= (uint)Length || _records[ordinal].Deleted;

    /// <summary>Deleted, blocked or unknown: never shown.</summary>
    public bool IsUnavailable(int ordinal)
    {
        if ((uint)ordinal >= (uint)Length)
            return true;
        ref ItemRecord r = ref _records[ordinal];
        return r.Deleted || (r.Policy & ItemPolicyFlags.Blocked) != 0;
    }

    public ReadOnlySpan<int> CategoriesOf(int ordinal) => (uint)ordinal < (uint)Length ? _records[ordinal].Categories : default;

    public long PublishedAtMs(int ordinal) => (uint)ordinal < (uint)Length ? _records[ordinal].PublishedAtMs : 0;

    public ItemPolicyFlags PolicyOf(int ordinal) => (uint)ordinal < (uint)Length ? _records[ordinal].Policy : ItemPolicyFlags.None;

    public int Impressions(int ordinal) => (uint)ordinal < (uint)Length ? Volatile.Read(ref _records[ordinal].Impressions) : 0;

    /// <summary>Whether the item has any category in <paramref name="categories"/> (sorted or not; both are short).</summary>
    public bool HasAnyCategory(int ordinal, ReadOnlySpan<int> categories)
    {
        foreach (int c in CategoriesOf(ordinal))
        {
            if (categories.Contains(c))
                return true;
        }
        return false;
    }

    /// <summary>The store's record of an item from its attributes (categories numbered here, new names added).</summary>
    public ItemMetadata ToMetadata(ItemAttributes item)
    {
        var categories = new int[item.Categories.Count];
        for (int c = 0; c < categories.Length; c++)
            categories[c] = Categories.GetOrAdd(item.Categories[c]);
        return new ItemMetadata
        {
            Title = item.Title,
            Categories = categories,
            Tags = [.. item.Tags],
            PublishedAtMs = item.PublishedAtMs,
            PolicyFlags = item.PolicyFlags,
        };
    }

    /// <summary>Category names of an item (for the content encoder).</summary>
    public string[] CategoryNames(ReadOnlySpan<int> categories)
    {
        var names = new string[categories.Length];
        for (int i = 0; i < names.Length; i++)
            names[i] = Categories.KeyOf(categories[i]) ?? "";
        return names;
    }

    /// <summary>Sets the record of <paramref name="ordinal"/> (a new ordinal joins the recent items). Serialised by the caller.</summary>
    internal void SetItem(int ordinal, ItemMetadata item, bool isNew)
    {
        _records.EnsureLength(ordinal + 1);
        ref ItemRecord r = ref _records[ordinal];
        CategoryMembers.Update(ordinal, r.Categories, item.Categories);
        r.Categories = item.Categories;
        r.PublishedAtMs = item.PublishedAtMs;
        r.Policy = item.PolicyFlags;
        r.Deleted = item.Deleted;
        if (ordinal >= _length)
        {
            // Ordinals this one skips were numbered for upserts the store (or the journal) refused: until a retry sets
            // them they are no item, and must not read as a live one with no record.
            for (int gap = _length; gap < ordinal; gap++)
                _records[gap].Deleted = true;
            Volatile.Write(ref _length, ordinal + 1);
        }
        if (isNew)
        {
            long slot = _recentAdded % _recent.Length;
            Volatile.Write(ref _recent[slot], ordinal);
            Volatile.Write(ref _recentAdded, _recentAdded + 1);
        }
    }

    internal void MarkDeleted(int ordinal)
    {
        if ((uint)ordinal < (uint)Length)
            Volatile.Write(ref _records[ordinal].Deleted, true);
    }

    /// <summary>
    /// Where an item's count stops. Counts outlive restarts (the catalog snapshot), so a long-lived popular item could
    /// otherwise wrap past int.MaxValue to a negative count and look new again; every threshold is tiny next to it.
    /// Increments racing at the cap may pass it by one each, far from the wrap.
    /// </summary>
    internal const int MaxImpressions = int.MaxValue / 2;

    internal void AddImpression(int ordinal)
    {
        if ((uint)ordinal < (uint)Length)
        {
            ref int count = ref _records[ordinal].Impressions;
            if (Volatile.Read(ref count) < MaxImpressions)
                Interlocked.Increment(ref count);
        }
    }

    /// <summary>The impression count of every ordinal (for the catalog snapshot; increments racing the copy may be in it or not).</summary>
    internal int[] CopyImpressions()
    {
        var counts = new int[Length];
        for (int i = 0; i < counts.Length; i++)
            counts[i] = Volatile.Read(ref _records[i].Impressions);
        return counts;
    }

    /// <summary>Sets the counts of ordinals 0..counts.Length-1 (a restart, before serving: a snapshot's counts).</summary>
    internal void RestoreImpressions(ReadOnlySpan<int> counts)
    {
        // The snapshot's reader refused more counts than its id map has ordinals, and the catalog was built from that map.
        System.Diagnostics.Debug.Assert(counts.Length <= Length, $"{counts.Length} impression counts for a catalog of {Length} ordinals");
        for (int i = 0; i < counts.Length; i++)
            Volatile.Write(ref _records[i].Impressions, counts[i]);
    }

    /// <summary>Every item back to no impressions: offline evaluation replays its traffic from the same start for each setting.</summary>
    internal void ClearImpressions()
    {
        int n = Length;
        for (int i = 0; i < n; i++)
            Volatile.Write(ref _records[i].Impressions, 0);
    }

    /// <summary>Copies the most recently added ordinals into <paramref name="destination"/>, newest first; returns how many.</summary>
    public int CopyRecent(Span<int> destination)
    {
        long added = Volatile.Read(ref _recentAdded);
        int n = (int)Math.Min(Math.Min(added, _recent.Length), destination.Length);
        for (int i = 0; i < n; i++)
            destination[i] = Volatile.Read(ref _recent[(added - 1 - i) % _recent.Length]);
        return n;
    }
}
