using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// A read that goes to disk while a compaction copies its record to the tail and moves the log's begin address past
/// the old copy. FASTER 2.6.5 completes such a read as "not found" (the address it read is now below the begin
/// address), though the record lives on at the tail. On the write side that lost data: an event's history update
/// read "no history" and wrote a history holding only the new event (seen once in CI as an acknowledged event
/// missing after a SIGKILL with compaction, CrashRecoveryTests). The seam compacts exactly inside that window.
/// </summary>
public sealed class CompactionReadRaceTests
{
    private const long User = 7;

    private static FasterFeatureStoreOptions Options(string dir) => FasterTestOptions.Small(dir) with
    {
        MemoryBudgetBytes = 4L << 20,
        LogSegmentBytes = 1L << 20,
    };

    private static UserEvent Click(long item) => new(User, item, EventType.Click, 1f, 1_700_000_000_000 + item, 0);

    /// <summary>Items written before the filler, so they are on disk only (their ids are 100 + i).</summary>
    private const int EarlyItems = 64;

    /// <summary>Every other one larger than a read slot (1 KiB), so some reads complete into pooled heap memory.</summary>
    private static ItemMetadata Early(long id) => new()
    {
        Categories = [(int)(id % 5)], PublishedAtMs = id,
        Tags = id % 2 == 0 ? ["early" + id, new string((char)('a' + id % 26), 3000)] : ["early" + id],
    };

    private static Task Filler(FasterFeatureStore store, int round) =>
        store.BulkUpsertItemsAsync(Enumerable.Range(0, 40_000).Select(i => KeyValuePair.Create(1_000_000L + i, new ItemMetadata
        {
            Categories = [i % 13, round], Tags = ["filler" + (i % 40), "round" + round], PublishedAtMs = round,
        }))).AsTask();

    /// <summary>
    /// Writes the user's first events and <see cref="EarlyItems"/> items, then about 10 MB of other records, so that
    /// those are on disk only.
    /// </summary>
    private static async Task<FasterFeatureStore> OpenWithUserOnDisk(string dir)
    {
        var store = await FasterFeatureStore.OpenAsync(Options(dir));
        for (long item = 1; item <= 3; item++) await store.AppendEventAsync(Click(item));
        await store.BulkUpsertItemsAsync(Enumerable.Range(100, EarlyItems).Select(i => KeyValuePair.Create((long)i, Early(i))));
        for (int round = 0; round < 2; round++) await Filler(store, round);
        return store;
    }

    /// <summary>Compacts once, at the first read that goes to disk after it is armed; counts how often it ran.</summary>
    private sealed class CompactAtFirstPendingRead(FasterFeatureStore store)
    {
        public int Ran;

        public void Arm() => store.ReadWentPending = () =>
        {
            store.ReadWentPending = null;
            long before = store.LogBeginAddress;
            store.CompactLogNow();
            Assert.True(store.LogBeginAddress > before, "the compaction did not move the log's begin address");
            Ran++;
        };
    }

    [Fact]
    public async Task EventApplied_WhileCompactionMovesTheBeginAddress_KeepsTheEarlierHistory()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenWithUserOnDisk(dir.Path);
        var race = new CompactAtFirstPendingRead(store);
        race.Arm();

        await store.AppendEventAsync(Click(4));

        Assert.Equal(1, race.Ran); // the history read went to disk and the compaction ran inside it
        var history = (await store.GetRecentHistoryAsync(User, 100)).Select(h => h.ItemId).Order().ToArray();
        Assert.Equal([1L, 2, 3, 4], history);
    }

    [Fact]
    public async Task CounterUpdated_WhileCompactionMovesTheBeginAddress_KeepsTheEarlierCount()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenWithUserOnDisk(dir.Path);
        var race = new CompactAtFirstPendingRead(store);
        race.Arm();

        // A new user (no history to read) clicks item 1, whose counter is on disk: the counter read races.
        await store.AppendEventAsync(Click(item: 1) with { UserId = 8 });

        Assert.Equal(1, race.Ran);
        var c = new double[1];
        await store.GetItemCountersAsync(new long[] { 1 }, -1, 1_700_000_000_001, c);
        Assert.True(c[0] > 1.99, $"item 1's counter is {c[0]}, expected two clicks");
    }

    [Fact]
    public async Task ServingRead_WhileCompactionMovesTheBeginAddress_FindsTheRecord()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenWithUserOnDisk(dir.Path);
        var race = new CompactAtFirstPendingRead(store);
        race.Arm();

        var history = (await store.GetRecentHistoryAsync(User, 100)).Select(h => h.ItemId).Order().ToArray();

        Assert.Equal(1, race.Ran); // the read went to disk and the compaction ran inside it
        Assert.Equal([1L, 2, 3], history);
    }

    [Fact]
    public async Task BatchRead_WhileCompactionMovesTheBeginAddress_FindsEveryRecord()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenWithUserOnDisk(dir.Path);
        // Item 10 is not there at all (stays missing).
        long[] ids = [.. Enumerable.Range(100, EarlyItems).Select(i => (long)i), 10];
        var race = new CompactAtFirstPendingRead(store);
        race.Arm();

        var got = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, got);

        Assert.Equal(1, race.Ran);
        for (int i = 0; i < ids.Length - 1; i++)
            Assert.True(Early(ids[i]).Equals(got[i]), $"item {ids[i]}: {(got[i] is null ? "missing" : "wrong value")}");
        Assert.Null(got[^1]);
    }

    [Fact]
    public async Task BatchRead_WhoseReReadsGoToDiskAgain_FindsEveryRecord_AndLeavesThePooledSessionClean()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenWithUserOnDisk(dir.Path);
        long[] ids = [.. Enumerable.Range(100, EarlyItems).Select(i => (long)i), 10];
        int ran = 0;
        store.ReadWentPending = () =>
        {
            store.ReadWentPending = null;
            store.CompactLogNow();
            // Push the copies the compaction made out of memory, so the reads of the second round go to disk too.
            Filler(store, 5).GetAwaiter().GetResult();
            Filler(store, 6).GetAwaiter().GetResult();
            ran++;
        };

        var got = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, got);

        Assert.Equal(1, ran);
        for (int i = 0; i < ids.Length - 1; i++)
            Assert.True(Early(ids[i]).Equals(got[i]), $"item {ids[i]}: {(got[i] is null ? "missing" : "wrong value")}");
        Assert.Null(got[^1]);
        // Sessions from the pool carry nothing over.
        var again = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, again);
        for (int i = 0; i < ids.Length - 1; i++) Assert.True(Early(ids[i]).Equals(again[i]), $"second read, item {ids[i]}");
    }
}
