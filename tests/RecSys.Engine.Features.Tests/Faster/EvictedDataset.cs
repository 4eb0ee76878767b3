using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// A store's worth of every record kind, several times FASTER's smallest memory budget, with what each read must
/// return computed independently of the store (counters by replaying the same events in order). Most of it is
/// evicted to the disk log by the time it is read, so the reads go pending and complete from disk.
/// </summary>
internal static class EvictedDataset
{
    public const int Users = 12_000;
    public const int Items = 16_000;
    public const int EventsPerUser = 5;
    public const int Segments = 4;
    public const int CfDimensions = 64;
    public const long T0 = 1_700_000_000_000;

    /// <summary>Ids that were never written, mixed into the batches: the pending path must report them missing too.</summary>
    public static readonly long[] Unknown = [Users + Items + 17, 1L << 40, 999_999_999];

    public static readonly TimeSpan HalfLife = TimeSpan.FromHours(24);

    /// <summary>The clock the counters are read at: after the last event, so every counter has decayed a little.</summary>
    public const long NowMs = T0 + 3_600_000;

    public static FasterFeatureStoreOptions Options(string dir) => new()
    {
        DataDirectory = dir,
        MemoryBudgetBytes = 4L << 20, // the smallest allowed: 4 pages of 1 MiB in memory, the rest on disk
        IndexBuckets = 1 << 14,
        CheckpointInterval = TimeSpan.Zero,
        CounterHalfLife = HalfLife,
        HistoryCapacity = 50,
    };

    public static UserProfile Profile(long u) => new()
    {
        AgeBucket = (byte)(u % 10), Gender = (byte)(u % 3), Country = "C" + (u % 150), Segment = (int)(u % Segments),
        CreatedAtMs = T0 - u,
        OnboardingCategories = Enumerable.Range(0, 16).Select(i => (int)((u * 31 + i) % 3000)).ToArray(),
    };

    public static float[] CfVector(long u) => Enumerable.Range(0, CfDimensions).Select(d => (float)(u * 0.001 + d * 0.5 - 7)).ToArray();

    public static ItemMetadata Item(long i) => new()
    {
        Categories = [(int)(i % 40), (int)(i % 9)],
        Tags = Enumerable.Range(0, 12).Select(t => "t" + ((i * 3 + t) % 2000)).ToArray(),
        PublishedAtMs = T0 - 1000 * i,
        PolicyFlags = (ItemPolicyFlags)(i % 3),
    };

    /// <summary>User u's events, oldest first (one timestamp each, increasing).</summary>
    public static UserEvent[] Events()
    {
        var events = new UserEvent[Users * EventsPerUser];
        int n = 0;
        for (int k = 0; k < EventsPerUser; k++)
            for (long u = 0; u < Users; u++)
                events[n++] = new UserEvent(u, (u * 7 + k * 13) % Items, (EventType)(k % 3), 1 + k, T0 + k * 100_000 + u, (int)(u % Segments));
        return events;
    }

    /// <summary>Writes everything: items first, then users, then the events (history and counters, read-modify-write on the applier).</summary>
    public static async Task WriteAsync(FasterFeatureStore store)
    {
        await store.BulkUpsertItemsAsync(Enumerable.Range(0, Items).Select(i => KeyValuePair.Create((long)i, Item(i))));
        await store.BulkUpsertUsersAsync(Enumerable.Range(0, Users).Select(u => KeyValuePair.Create((long)u, Profile(u))));
        var writes = new Task[Users];
        for (int u = 0; u < Users; u++) writes[u] = store.UpsertCfVectorAsync(u, CfVector(u)).AsTask();
        await Task.WhenAll(writes);
        await store.AppendEventsAsync(Events());
    }

    public static HistoryEvent[] ExpectedHistory(long u, int max) =>
        Enumerable.Range(0, EventsPerUser).Reverse().Take(max)
            .Select(k => new HistoryEvent((u * 7 + k * 13) % Items, (EventType)(k % 3), 1 + k, T0 + k * 100_000 + u)).ToArray();

    /// <summary>Counter values at <see cref="NowMs"/>, per item (segment -1) and per item x segment, by replaying the events in log order.</summary>
    public static Dictionary<(long Item, int Segment), double> ExpectedCounters()
    {
        double halfLifeMs = HalfLife.TotalMilliseconds;
        var counters = new Dictionary<(long, int), DecayedCounter>();
        foreach (var e in Events())
        {
            foreach (var key in new[] { (e.ItemId, -1), (e.ItemId, e.Segment) })
            {
                counters.TryGetValue(key, out var c);
                counters[key] = c.Add(e.Value, e.TimestampMs, halfLifeMs);
            }
        }
        return counters.ToDictionary(kv => kv.Key, kv => kv.Value.ValueAt(NowMs, halfLifeMs));
    }

    /// <summary>Asserts that the data is several times the memory budget, so most records were evicted to disk.</summary>
    public static void AssertMostlyOnDisk(FasterFeatureStore store)
    {
        long budget = Options("unused").MemoryBudgetBytes;
        Assert.True(store.LogTailAddress >= 3 * budget,
            $"the KV log is only {store.LogTailAddress / 1e6:F1} MB against a {budget >> 20} MiB budget: too little is on disk to test disk reads");
    }

    /// <summary>Every record through every read API, single and batch (batches in groups with unknown ids mixed in).</summary>
    public static async Task VerifyEveryApiAsync(IFeatureStore store)
    {
        for (long u = 0; u < Users; u++)
        {
            Assert.Equal(Profile(u), await store.GetUserProfileAsync(u));
            Assert.Equal(CfVector(u), await store.GetCfVectorAsync(u));
            Assert.Equal(ExpectedHistory(u, 3), await store.GetRecentHistoryAsync(u, 3));
            Assert.Equal(ExpectedHistory(u, 50), await store.GetRecentHistoryAsync(u, 50));
        }
        for (long i = 0; i < Items; i++) Assert.Equal(Item(i), await store.GetItemAsync(i));
        foreach (long id in Unknown)
        {
            Assert.Null(await store.GetUserProfileAsync(id));
            Assert.Null(await store.GetCfVectorAsync(id));
            Assert.Null(await store.GetItemAsync(id));
            Assert.Empty(await store.GetRecentHistoryAsync(id, 10));
        }

        const int batch = 300;
        var expectedCounters = ExpectedCounters();
        for (int start = 0; start < Users; start += batch)
        {
            var ids = Batch(start, Math.Min(batch, Users - start));
            var profiles = new UserProfile?[ids.Length];
            await store.GetUserProfilesAsync(ids, profiles);
            for (int j = 0; j < ids.Length; j++) Assert.Equal(ids[j] < Users ? Profile(ids[j]) : null, profiles[j]);
        }
        for (int start = 0; start < Items; start += batch)
        {
            var ids = Batch(start, Math.Min(batch, Items - start));
            var items = new ItemMetadata?[ids.Length];
            await store.GetItemsAsync(ids, items);
            for (int j = 0; j < ids.Length; j++) Assert.Equal(ids[j] < Items ? Item(ids[j]) : null, items[j]);
            for (int segment = -1; segment < Segments; segment++)
            {
                var values = new double[ids.Length];
                await store.GetItemCountersAsync(ids, segment, NowMs, values);
                for (int j = 0; j < ids.Length; j++)
                {
                    double expected = expectedCounters.TryGetValue((ids[j], segment), out var v) ? v : 0;
                    if (values[j] != expected) Assert.Fail($"item {ids[j]} segment {segment}: counter {values[j]}, expected {expected}");
                }
            }
        }
    }

    /// <summary>Ids start..start+count, the unknown ids spread among them (a batch is decoded partly from memory, partly from disk).</summary>
    private static long[] Batch(int start, int count)
    {
        var ids = Enumerable.Range(start, count).Select(i => (long)i).ToList();
        for (int k = 0; k < Unknown.Length; k++) ids.Insert(k * count / Unknown.Length, Unknown[k]);
        return [.. ids];
    }
}
