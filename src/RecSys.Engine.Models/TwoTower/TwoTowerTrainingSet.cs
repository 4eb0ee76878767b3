using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Popularity;

namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// What the towers train on and are evaluated from, built from one <see cref="TrainingData"/> (the inner training part
/// while early stopping, the whole training part after): the (user, item) pairs, each user's items newest first, each
/// user's and item's feature row, and each item's training interactions (its popularity feature and its log q).
/// Popularity and age come from these events only, so the validation part never leaks into them.
/// </summary>
internal sealed class TwoTowerTrainingSet
{
    private readonly int[] _recentStart;
    private readonly int[] _recentItems;

    public TwoTowerTrainingSet(TrainingData data, TwoTowerFeatures features, ReadOnlySpan<float> contentRows)
    {
        Users = data.UserCount;
        Items = data.ItemCount;
        Features = features;
        InteractionMatrix m = data.Matrix;
        PairUsers = new int[m.NonZeroCount];
        PairItems = m.ColumnIndex;
        for (int u = 0; u < Users; u++)
            PairUsers.AsSpan(m.RowStart[u], m.RowLength(u)).Fill(u);
        ItemCounts = new int[Items];
        foreach (int i in m.ColumnIndex)
            ItemCounts[i]++;
        LogQ = new float[Items];
        double pairs = Math.Max(m.NonZeroCount, 1);
        for (int i = 0; i < Items; i++)
            LogQ[i] = (float)Math.Log(Math.Max(ItemCounts[i], 1) / pairs);
        (_recentStart, _recentItems) = RecentItems(data.Events, Users, Items);

        // Age: days from the item's first event to the last event of the data ("now" offline); no event = unknown.
        InteractionSet events = data.Events;
        var first = new long[Items];
        first.AsSpan().Fill(long.MaxValue);
        for (int e = 0; e < events.Count; e++)
            first[events.ItemOrdinals[e]] = Math.Min(first[events.ItemOrdinals[e]], events.Timestamps[e]);
        long now = events.MaxTimestamp();
        ItemAgeDays = new double[Items];
        for (int i = 0; i < Items; i++)
            ItemAgeDays[i] = first[i] == long.MaxValue ? double.NaN : (now - first[i]) / 86_400.0;

        ItemCatalog? catalog = data.Catalog;
        int fi = features.ItemCount, dc = features.ContentDimension;
        ItemRows = new float[(long)Items * fi];
        for (int i = 0; i < Items; i++)
        {
            ReadOnlySpan<float> content = dc == 0 || contentRows.IsEmpty ? default : contentRows.Slice(i * dc, dc);
            features.WriteItem(catalog?.Categories(i) ?? [], ItemCounts[i], ItemAgeDays[i], content, ItemRows.AsSpan(i * fi, fi));
        }
        int fu = features.UserCount;
        UserRows = new float[(long)Users * fu];
        for (int u = 0; u < Users; u++)
            features.WriteUser(UserSegments.Of(data.Demographics, u), Recent(u).Length, UserRows.AsSpan(u * fu, fu));
        Matrix = m;
    }

    public int Users { get; }

    public int Items { get; }

    public TwoTowerFeatures Features { get; }

    /// <summary>Users x items of these events (binary): the pairs, and the items a user's list leaves out.</summary>
    public InteractionMatrix Matrix { get; }

    /// <summary>The training pairs (one per distinct user-item interaction), user side.</summary>
    public int[] PairUsers { get; }

    /// <summary>The training pairs, item side.</summary>
    public int[] PairItems { get; }

    /// <summary>Distinct users per item.</summary>
    public int[] ItemCounts { get; }

    /// <summary>log(the item's share of the pairs): the in-batch sampling probability's log.</summary>
    public float[] LogQ { get; }

    public double[] ItemAgeDays { get; }

    /// <summary>[items x item features].</summary>
    public float[] ItemRows { get; }

    /// <summary>[users x user features], activity for the user's whole (capped) history.</summary>
    public float[] UserRows { get; }

    /// <summary>The user's distinct items, newest first (latest event of each).</summary>
    public ReadOnlySpan<int> Recent(int user) => _recentItems.AsSpan(_recentStart[user], _recentStart[user + 1] - _recentStart[user]);

    /// <summary>
    /// Each user's distinct items by their latest event, newest first (ties: the later event first): one sort of the
    /// event indices by (user, time descending), then the first occurrence of each item per user kept.
    /// </summary>
    private static (int[] Start, int[] Items) RecentItems(InteractionSet events, int users, int items)
    {
        var order = new int[events.Count];
        for (int e = 0; e < order.Length; e++)
            order[e] = e;
        Array.Sort(order, (x, y) =>
        {
            int c = events.UserOrdinals[x].CompareTo(events.UserOrdinals[y]);
            if (c != 0)
                return c;
            c = events.Timestamps[y].CompareTo(events.Timestamps[x]);
            return c != 0 ? c : y.CompareTo(x);
        });
        var start = new int[users + 1];
        var list = new int[events.Count];
        var stamp = new int[items];
        int n = 0;
        foreach (int e in order)
        {
            int u = events.UserOrdinals[e], i = events.ItemOrdinals[e];
            if (stamp[i] == u + 1)
                continue;
            stamp[i] = u + 1;
            list[n++] = i;
            start[u + 1]++;
        }
        for (int u = 0; u < users; u++)
            start[u + 1] += start[u];
        Array.Resize(ref list, n);
        return (start, list);
    }
}
