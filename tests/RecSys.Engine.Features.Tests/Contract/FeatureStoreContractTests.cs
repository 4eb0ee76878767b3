using RecSys.Engine.Features.Records;

namespace RecSys.Engine.Features.Tests.Contract;

/// <summary>
/// What every backend must do. Each concrete subclass supplies a fresh, empty store; the same assertions run
/// against FASTER (embedded) and Garnet (Redis protocol, in process).
/// </summary>
public abstract class FeatureStoreContractTests
{
    protected static readonly FeatureStoreSettings Settings = new()
    {
        HistoryCapacity = 5,
        ImpressionCapacity = 3,
        SeenCapacity = 4,
        CounterHalfLife = TimeSpan.FromHours(1),
        BulkChunkSize = 1000,
    };

    private const double HalfLifeMs = 3_600_000;
    private const long T0 = 1_700_000_000_000;

    /// <summary>A new store holding no data, with <see cref="Settings"/>.</summary>
    protected abstract Task<IFeatureStore> CreateStoreAsync();

    private static UserProfile Profile(int seed) => new()
    {
        AgeBucket = (byte)seed, Gender = 2, Country = "DE", Segment = seed % 3, CreatedAtMs = T0 + seed,
        OnboardingCategories = [seed, seed + 1, 42],
    };

    private static ItemMetadata Item(long id) => new()
    {
        Categories = [(int)(id % 10), 99], Tags = ["tag" + id, "ü-ñ"], PublishedAtMs = T0 - id,
        PolicyFlags = id % 2 == 0 ? ItemPolicyFlags.Sponsored : ItemPolicyFlags.None,
    };

    [Fact]
    public async Task Profile_RoundTrips_Overwrites_AndUnknownIsNull()
    {
        await using var store = await CreateStoreAsync();
        Assert.Null(await store.GetUserProfileAsync(1));
        await store.UpsertUserProfileAsync(1, Profile(7));
        Assert.Equal(Profile(7), await store.GetUserProfileAsync(1));
        await store.UpsertUserProfileAsync(1, Profile(8) with { OnboardingCategories = [] });
        Assert.Equal(Profile(8) with { OnboardingCategories = [] }, await store.GetUserProfileAsync(1));
        Assert.Null(await store.GetUserProfileAsync(2));
    }

    [Fact]
    public async Task UserProfiles_BatchRead_InIdOrder()
    {
        await using var store = await CreateStoreAsync();
        for (int u = 0; u < 20; u += 2) await store.UpsertUserProfileAsync(u, Profile(u));
        long[] ids = [18, 3, 0, 4, 1000];
        var results = new UserProfile?[ids.Length];
        await store.GetUserProfilesAsync(ids, results);
        Assert.Equal(Profile(18), results[0]);
        Assert.Null(results[1]);
        Assert.Equal(Profile(0), results[2]);
        Assert.Equal(Profile(4), results[3]);
        Assert.Null(results[4]);
    }

    [Fact]
    public async Task CfVector_RoundTrips_AndOverwrites()
    {
        await using var store = await CreateStoreAsync();
        Assert.Null(await store.GetCfVectorAsync(5));
        float[] v = Enumerable.Range(0, 64).Select(i => i * 0.5f - 3).ToArray();
        await store.UpsertCfVectorAsync(5, v);
        Assert.Equal(v, await store.GetCfVectorAsync(5));
        await store.UpsertCfVectorAsync(5, new float[] { 1, 2 });
        Assert.Equal(new float[] { 1, 2 }, await store.GetCfVectorAsync(5));
    }

    [Fact]
    public async Task Items_BatchOf500_ReturnsEachInIdOrder_NullForUnknown()
    {
        await using var store = await CreateStoreAsync();
        for (long id = 0; id < 1000; id += 2) await store.UpsertItemAsync(id, Item(id));
        var ids = Enumerable.Range(0, 500).Select(i => (long)((i * 7919) % 1100)).ToArray();
        var results = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, results);
        for (int i = 0; i < ids.Length; i++)
        {
            if (ids[i] % 2 == 0 && ids[i] < 1000) Assert.Equal(Item(ids[i]), results[i]);
            else Assert.Null(results[i]);
        }
        Assert.Equal(Item(10), await store.GetItemAsync(10));
    }

    [Fact]
    public async Task Items_BatchRead_MixesSmallAndLargeValues()
    {
        await using var store = await CreateStoreAsync();
        var big = Item(1) with { Tags = Enumerable.Range(0, 400).Select(i => "long-tag-" + i).ToArray() }; // ~5 KB
        await store.UpsertItemAsync(1, big);
        await store.UpsertItemAsync(2, Item(2));
        var results = new ItemMetadata?[3];
        await store.GetItemsAsync(new long[] { 2, 1, 2 }, results);
        Assert.Equal(Item(2), results[0]);
        Assert.Equal(big, results[1]);
        Assert.Equal(Item(2), results[2]);
    }

    [Fact]
    public async Task Item_Overwrite_AndSoftDelete_KeepsMetadata()
    {
        await using var store = await CreateStoreAsync();
        await store.UpsertItemAsync(1, Item(1));
        await store.UpsertItemAsync(1, Item(3));
        Assert.Equal(Item(3), await store.GetItemAsync(1));
        await store.MarkItemDeletedAsync(1);
        Assert.Equal(Item(3) with { Deleted = true }, await store.GetItemAsync(1));
        await store.MarkItemDeletedAsync(77); // unknown: stays unknown
        Assert.Null(await store.GetItemAsync(77));
        await store.UpsertItemAsync(1, Item(3)); // re-publishing clears the mark
        Assert.False((await store.GetItemAsync(1))!.Deleted);
    }

    [Fact]
    public async Task History_IsBounded_NewestFirst_OutOfOrderEventsSorted()
    {
        await using var store = await CreateStoreAsync();
        Assert.Empty(await store.GetRecentHistoryAsync(9, 10));
        long[] times = [10, 30, 20, 50, 40, 60, 5];
        for (int i = 0; i < times.Length; i++)
            await store.AppendEventAsync(new UserEvent(9, 100 + i, EventType.View, i, T0 + times[i]));

        var h = await store.GetRecentHistoryAsync(9, 100);
        // Capacity 5 keeps the 5 newest by timestamp (60, 50, 40, 30, 20); the late event at 5 fell off at once.
        Assert.Equal(new long[] { 60, 50, 40, 30, 20 }, h.Select(e => e.TimestampMs - T0));
        Assert.Equal(new long[] { 105, 103, 104, 101, 102 }, h.Select(e => e.ItemId));
        Assert.Equal(EventType.View, h[0].Type);
        Assert.Equal(5f, h[0].Value);
        Assert.Equal(new long[] { 60, 50 }, (await store.GetRecentHistoryAsync(9, 2)).Select(e => e.TimestampMs - T0));
    }

    [Fact]
    public async Task History_KeepsImpressionsApart_TheyNeverPushInteractionsOut()
    {
        await using var store = await CreateStoreAsync();
        Assert.Equal((5, 3), (store.HistoryCapacity, store.ImpressionCapacity));
        for (int i = 0; i < 4; i++)
            await store.AppendEventAsync(new UserEvent(9, 100 + i, EventType.View, 1, T0 + i));
        // Forty pages' worth of impressions later, in one batch and one by one.
        await store.AppendEventsAsync(Enumerable.Range(0, 20).Select(i => new UserEvent(9, 500 + i, EventType.Impression, 2, T0 + 100 + i)).ToArray());
        for (int i = 20; i < 40; i++)
            await store.AppendEventAsync(new UserEvent(9, 500 + i, EventType.Impression, 2, T0 + 100 + i));
        await store.AppendEventAsync(new UserEvent(9, 104, EventType.Click, 1, T0 + 135));

        var h = await store.GetRecentHistoryAsync(9, 100);
        // Newest first, both kinds interleaved by time: impressions 539, 538, 537 (3 kept), the click at 135 among them.
        Assert.Equal(new long[] { 539, 538, 537, 104, 103, 102, 101, 100 }, h.Select(e => e.ItemId));
        Assert.Equal(EventType.Click, h[3].Type);
        // A sixth interaction drops the oldest interaction, never an impression.
        await store.AppendEventAsync(new UserEvent(9, 105, EventType.View, 1, T0 + 200));
        h = await store.GetRecentHistoryAsync(9, 100);
        Assert.Equal(new long[] { 105, 539, 538, 537, 104, 103, 102, 101 }, h.Select(e => e.ItemId));
    }

    [Fact]
    public async Task OlderSeenItems_KeepWhatFellOutOfTheHistory_UpToTheirCapacity()
    {
        await using var store = await CreateStoreAsync();
        Assert.Equal(4, store.SeenCapacity);
        Assert.Empty(await store.GetOlderSeenItemsAsync(9));
        // 5 interactions fit; each later one drops the oldest. Item 100 twice: one entry. Impressions never enter.
        long[] items = [100, 101, 102, 103, 104, 100, 105, 106];
        for (int i = 0; i < items.Length; i++)
            await store.AppendEventAsync(new UserEvent(9, items[i], EventType.View, 1, T0 + i));
        await store.AppendEventsAsync(Enumerable.Range(0, 10).Select(i => new UserEvent(9, 900 + i, EventType.Impression, 1, T0 + 50 + i)).ToArray());
        Assert.Equal(new long[] { 106, 105, 100, 104, 103 }, (await store.GetRecentHistoryAsync(9, 100)).Where(e => e.Type != EventType.Impression).Select(e => e.ItemId));
        Assert.Equal(new long[] { 100, 101, 102 }, await store.GetOlderSeenItemsAsync(9));
        // Full at 4: 103 enters, 104 and later do not (the history still holds the newest).
        for (int i = 0; i < 3; i++)
            await store.AppendEventAsync(new UserEvent(9, 200 + i, EventType.Click, 1, T0 + 100 + i));
        Assert.Equal(new long[] { 100, 101, 102, 103 }, await store.GetOlderSeenItemsAsync(9));
        Assert.Empty(await store.GetOlderSeenItemsAsync(10));
        await store.DeleteUserAsync(9);
        Assert.Empty(await store.GetOlderSeenItemsAsync(9));
        Assert.Empty(await store.GetRecentHistoryAsync(9, 100));
    }

    [Fact]
    public async Task Counters_DecayWithHalfLife_PerItemAndPerSegment()
    {
        await using var store = await CreateStoreAsync();
        var events = new List<UserEvent>
        {
            new(1, 500, EventType.Click, 1, T0, 0),
            new(2, 500, EventType.Click, 2, T0 + 3_600_000, 1),
            new(3, 500, EventType.Purchase, 4, T0 + 1_800_000, 1), // late: arrives after a newer one
            new(4, 501, EventType.Click, 1, T0, -1),
        };
        foreach (var e in events) await store.AppendEventAsync(e);

        long now = T0 + 2 * 3_600_000;
        long[] ids = [500, 501, 502];
        var global = new double[3];
        await store.GetItemCountersAsync(ids, -1, now, global);
        var seg1 = new double[3];
        await store.GetItemCountersAsync(ids, 1, now, seg1);
        var seg0 = new double[3];
        await store.GetItemCountersAsync(ids, 0, now, seg0);

        // Scalar reference: every value decays by 2^(-age / half-life), independently.
        double Ref(long item, int? segment) => events
            .Where(e => e.ItemId == item && (segment is null || e.Segment == segment))
            .Sum(e => e.Value * Math.Pow(2, -(now - e.TimestampMs) / HalfLifeMs));
        Assert.Equal(Ref(500, null), global[0], 1e-9);
        Assert.Equal(1 * 0.25 + 2 * 0.5 + 4 * Math.Pow(2, -1.5), global[0], 1e-9);
        Assert.Equal(Ref(501, null), global[1], 1e-9);
        Assert.Equal(0, global[2]);
        Assert.Equal(Ref(500, 1), seg1[0], 1e-9);
        Assert.Equal(Ref(500, 0), seg0[0], 1e-9);
        Assert.Equal(0, seg0[1]); // segment -1 events count only globally
    }

    [Fact]
    public async Task AppendEvents_Batch_AllApplied()
    {
        await using var store = await CreateStoreAsync();
        var batch = Enumerable.Range(0, 4).Select(i => new UserEvent(3, 700 + i, EventType.Click, 1, T0 + i)).ToArray();
        await store.AppendEventsAsync(batch);
        Assert.Equal(new long[] { 703, 702, 701, 700 }, (await store.GetRecentHistoryAsync(3, 10)).Select(e => e.ItemId));
    }

    [Fact]
    public async Task DeleteUser_RemovesProfileHistoryAndVector_OthersUntouched()
    {
        await using var store = await CreateStoreAsync();
        foreach (long u in new long[] { 1, 2 })
        {
            await store.UpsertUserProfileAsync(u, Profile((int)u));
            await store.UpsertCfVectorAsync(u, new float[] { u, u });
            await store.AppendEventAsync(new UserEvent(u, 10, EventType.Like, 1, T0));
        }
        await store.DeleteUserAsync(1);
        Assert.Null(await store.GetUserProfileAsync(1));
        Assert.Null(await store.GetCfVectorAsync(1));
        Assert.Empty(await store.GetRecentHistoryAsync(1, 10));
        Assert.Equal(Profile(2), await store.GetUserProfileAsync(2));
        Assert.Single(await store.GetRecentHistoryAsync(2, 10));

        // A deleted user can come back; their history starts empty.
        await store.AppendEventAsync(new UserEvent(1, 11, EventType.Like, 1, T0 + 1));
        Assert.Equal(new long[] { 11 }, (await store.GetRecentHistoryAsync(1, 10)).Select(e => e.ItemId));
    }

    [Fact]
    public async Task ConcurrentWritersAndReaders_EndInTheLastWrittenState()
    {
        await using var store = await CreateStoreAsync();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int version = 0; version < 10; version++)
                for (int u = w * 10; u < w * 10 + 10; u++)
                {
                    await store.UpsertUserProfileAsync(u, Profile(version));
                    await store.AppendEventAsync(new UserEvent(u, version, EventType.View, 1, T0 + version));
                }
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            var ids = Enumerable.Range(0, 40).Select(i => (long)i).ToArray();
            var results = new UserProfile?[ids.Length];
            long reads = 0;
            while (!stop.IsCancellationRequested)
            {
                await store.GetUserProfilesAsync(ids, results);
                // Any profile seen must be one that was written: a torn or mixed record would not decode or compare.
                foreach (var p in results)
                    if (p is not null) Assert.Equal(Profile(p.AgeBucket), p);
                reads++;
                await Task.Delay(1); // leave CPU to the writers on a 2-core machine
            }
            return reads;
        })).ToArray();
        await Task.WhenAll(writers);
        stop.Cancel();
        Assert.All(await Task.WhenAll(readers), n => Assert.True(n > 0));
        for (int u = 0; u < 40; u++)
        {
            Assert.Equal(Profile(9), await store.GetUserProfileAsync(u));
            Assert.Equal(new long[] { 9, 8, 7, 6, 5 }, (await store.GetRecentHistoryAsync(u, 10)).Select(e => e.ItemId));
        }
        // Item v's counter took one event from each of the 40 users, all at T0 + v, from four racing writers: a lost
        // read-modify-write (Redis's optimistic retry) would leave it short of 40.
        var counter = new double[1];
        for (int v = 0; v < 10; v++)
        {
            await store.GetItemCountersAsync(new long[] { v }, -1, T0 + v, counter);
            Assert.Equal(40.0, counter[0], 9);
        }
    }

    [Fact]
    public async Task BulkUpsert_WritesAll_ReportsProgressPerChunk()
    {
        await using var store = await CreateStoreAsync();
        var reports = new List<long>();
        var progress = new SyncProgress(reports);
        long n = await store.BulkUpsertUsersAsync(Enumerable.Range(0, 2500).Select(i => KeyValuePair.Create((long)i, Profile(i))), progress);
        Assert.Equal(2500, n);
        Assert.Equal(new long[] { 1000, 2000, 2500 }, reports);
        long m = await store.BulkUpsertItemsAsync(Enumerable.Range(0, 10).Select(i => KeyValuePair.Create((long)i, Item(i))));
        Assert.Equal(10, m);
        var ids = Enumerable.Range(0, 2500).Select(i => (long)i).ToArray();
        var results = new UserProfile?[ids.Length];
        await store.GetUserProfilesAsync(ids, results);
        for (int i = 0; i < ids.Length; i++) Assert.Equal(Profile(i), results[i]);
        Assert.Equal(Item(9), await store.GetItemAsync(9));
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this records synchronously, in order.</summary>
    private sealed class SyncProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value) { lock (reports) reports.Add(value); }
    }
}
