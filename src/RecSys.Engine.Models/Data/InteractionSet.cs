namespace RecSys.Engine.Models.Data;

/// <summary>
/// Interaction events as parallel arrays (user ordinal, item ordinal, value, unix-seconds timestamp), with
/// the id maps and optional metadata they refer to. Subsets (train / test) share the maps, so an ordinal
/// means the same user or item on both sides of a split.
/// </summary>
public sealed class InteractionSet
{
    public InteractionSet(IdMap users, IdMap items, int[] userOrdinals, int[] itemOrdinals, float[] values, long[] timestamps,
        ItemCatalog? catalog = null, UserDemographics? demographics = null)
    {
        int n = userOrdinals.Length;
        if (itemOrdinals.Length != n || values.Length != n || timestamps.Length != n)
            throw new ArgumentException("interaction arrays differ in length");
        Users = users;
        Items = items;
        UserOrdinals = userOrdinals;
        ItemOrdinals = itemOrdinals;
        Values = values;
        Timestamps = timestamps;
        Catalog = catalog;
        Demographics = demographics;
    }

    public IdMap Users { get; }

    public IdMap Items { get; }

    public int[] UserOrdinals { get; }

    public int[] ItemOrdinals { get; }

    public float[] Values { get; }

    public long[] Timestamps { get; }

    public ItemCatalog? Catalog { get; }

    public UserDemographics? Demographics { get; }

    public int Count => UserOrdinals.Length;

    public int UserCount => Users.Count;

    public int ItemCount => Items.Count;

    /// <summary>The events at <paramref name="indices"/>, in that order, sharing maps and metadata.</summary>
    public InteractionSet Subset(ReadOnlySpan<int> indices)
    {
        var u = new int[indices.Length];
        var it = new int[indices.Length];
        var v = new float[indices.Length];
        var t = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int e = indices[i];
            u[i] = UserOrdinals[e];
            it[i] = ItemOrdinals[e];
            v[i] = Values[e];
            t[i] = Timestamps[e];
        }
        return new InteractionSet(Users, Items, u, it, v, t, Catalog, Demographics);
    }

    /// <summary>The largest timestamp (0 when empty): "now" for time decay in offline runs.</summary>
    public long MaxTimestamp()
    {
        long max = 0;
        foreach (long t in Timestamps)
            max = Math.Max(max, t);
        return max;
    }
}
