using RecSys.Engine.Core.Randomness;

namespace RecSys.Engine.Models.Data;

/// <summary>
/// Leakage-free splits. Every split is per user (a user's events go to train or test, never a shared
/// event to both) and deterministic by seed. Users too small to split keep all events in train.
/// </summary>
public static class Splitter
{
    /// <summary>
    /// Random holdout stratified by user: each user's events are shuffled (seeded per user) and the first
    /// round(n * trainFraction) go to train, the rest to test. Users with a single event stay in train.
    /// </summary>
    public static DataSplit RandomPerUser(InteractionSet set, double trainFraction, ulong seed)
    {
        if (!(trainFraction > 0 && trainFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(trainFraction), $"train fraction must be in (0, 1), got {trainFraction}");
        var train = new List<int>(set.Count);
        var test = new List<int>(set.Count / 3);
        foreach (var (user, events) in EventsByUser(set))
        {
            // Shuffle with a stream of its own per user, so adding a user never changes another's split.
            var rng = new SplitMix64(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(user + 1)));
            for (int i = events.Length - 1; i > 0; i--)
            {
                int j = (int)(rng.Next() % (ulong)(i + 1));
                (events[i], events[j]) = (events[j], events[i]);
            }
            int nTrain = events.Length < 2 ? events.Length : Math.Clamp((int)Math.Round(events.Length * trainFraction), 1, events.Length - 1);
            for (int i = 0; i < events.Length; i++)
                (i < nTrain ? train : test).Add(events[i]);
        }
        return Build(set, train, test);
    }

    /// <summary>Leave the last <paramref name="n"/> events (by timestamp, ties by file order) of each user out; users with n or fewer events stay in train.</summary>
    public static DataSplit TemporalLastN(InteractionSet set, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var train = new List<int>(set.Count);
        var test = new List<int>();
        foreach (var (_, events) in EventsByUser(set))
        {
            // Stable order by time: the event index breaks ties.
            Array.Sort(events, (a, b) => set.Timestamps[a] != set.Timestamps[b] ? set.Timestamps[a].CompareTo(set.Timestamps[b]) : a.CompareTo(b));
            int nTrain = events.Length > n ? events.Length - n : events.Length;
            for (int i = 0; i < events.Length; i++)
                (i < nTrain ? train : test).Add(events[i]);
        }
        return Build(set, train, test);
    }

    /// <summary>A global time cut: events with timestamp &lt; <paramref name="cut"/> train, the rest test.</summary>
    public static DataSplit TemporalGlobalCut(InteractionSet set, long cut)
    {
        var train = new List<int>(set.Count);
        var test = new List<int>();
        for (int e = 0; e < set.Count; e++)
            (set.Timestamps[e] < cut ? train : test).Add(e);
        return Build(set, train, test);
    }

    /// <summary>
    /// The time cut that holds out about the latest <paramref name="share"/> of <paramref name="set"/>'s events
    /// (events at or after it), for a global-cut validation split that mirrors a global-cut test split.
    /// </summary>
    public static long LatestShareCut(InteractionSet set, double share)
    {
        if (!(share > 0 && share < 1))
            throw new ArgumentOutOfRangeException(nameof(share), $"share must be in (0, 1), got {share}");
        if (set.Count < 2)
            throw new ArgumentException($"{set.Count} events cannot be cut in two", nameof(set));
        long[] times = set.Timestamps.ToArray();
        Array.Sort(times);
        return times[Math.Clamp((int)Math.Round(times.Length * (1 - share)), 1, times.Length - 1)];
    }

    private static DataSplit Build(InteractionSet set, List<int> train, List<int> test)
    {
        train.Sort();
        test.Sort();
        return new DataSplit(set.Subset(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(train)),
            set.Subset(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(test)));
    }

    /// <summary>Event indices grouped by user, users in ordinal order, events in file order.</summary>
    private static IEnumerable<(int User, int[] Events)> EventsByUser(InteractionSet set)
    {
        var counts = new int[set.UserCount + 1];
        foreach (int u in set.UserOrdinals)
            counts[u + 1]++;
        for (int u = 0; u < set.UserCount; u++)
            counts[u + 1] += counts[u];
        var order = new int[set.Count];
        var fill = counts.AsSpan(0, set.UserCount).ToArray();
        for (int e = 0; e < set.Count; e++)
            order[fill[set.UserOrdinals[e]]++] = e;
        for (int u = 0; u < set.UserCount; u++)
        {
            int len = counts[u + 1] - counts[u];
            if (len > 0)
                yield return (u, order.AsSpan(counts[u], len).ToArray());
        }
    }
}
