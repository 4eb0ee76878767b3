using BenchmarkDotNet.Attributes;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Benchmarks.Features;

/// <summary>
/// The feature-store calls one recommendation makes, on FASTER in memory (20k items, 2k users with 50 events of history
/// and a 32-float CF vector each): the user's profile, history and CF vector, and the 500-candidate item batch the learned
/// ranker reads; the whole history of a user whose client logs impressions on three surfaces (200 interactions and 600
/// impressions: what a request reads); plus one event appended (acknowledged at the write-ahead log's group commit). Percentiles and the
/// larger-than-memory and Garnet cases come from the timed harness (`featurestore`, <see cref="FeatureStoreHarness"/>).
/// </summary>
[BenchmarkCategory(BenchCategories.Store)]
public class StoreBenchmarks
{
    // Small enough that the setup (which BenchmarkDotNet runs once per benchmark) takes seconds: every read here is
    // served from memory whatever the size; the larger-than-memory case is the harness's.
    private const int Items = 20_000;
    private const int Users = 2_000;
    private const int Batch = 500;
    private const int HeavyUsers = 50;

    private TempDirectory _dir = null!;
    private FasterFeatureStore _store = null!;
    private readonly long[] _batch = new long[Batch];
    private readonly ItemMetadata?[] _items = new ItemMetadata?[Batch];
    private int _next;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _dir = new TempDirectory("recsys-bench-store");
        _store = await FasterFeatureStore.OpenAsync(new FasterFeatureStoreOptions
        {
            DataDirectory = _dir.Path,
            MemoryBudgetBytes = 1L << 30,
            IndexBuckets = 1 << 18,
            CheckpointInterval = TimeSpan.Zero,
        });
        await _store.BulkUpsertItemsAsync(Enumerable.Range(0, Items).Select(i => KeyValuePair.Create((long)i, FeatureStoreHarness.Item(i, 2))));
        await _store.BulkUpsertUsersAsync(Enumerable.Range(0, Users).Select(u => KeyValuePair.Create((long)u, new UserProfile { Segment = u % 8, CreatedAtMs = 1_700_000_000_000 })));
        var rng = new Random(7);
        var events = new UserEvent[Users * 50];
        for (int e = 0; e < events.Length; e++)
            events[e] = new UserEvent(e % Users, rng.Next(Items), EventType.Click, 1, 1_700_000_000_000 + e, (e % Users) % 8);
        await _store.AppendEventsAsync(events);
        // Users Users..Users+HeavyUsers: 200 clicks, then 200 impressions on each of surfaces 1, 2 and 3.
        var heavy = new List<UserEvent>();
        for (int u = 0; u < HeavyUsers; u++)
        {
            for (int e = 0; e < 800; e++)
            {
                var type = e < 200 ? EventType.Click : EventType.Impression;
                heavy.Add(new UserEvent(Users + u, rng.Next(Items), type, type == EventType.Impression ? 1 + (e - 200) / 200 : 1, 1_700_000_000_000 + e, 0));
            }
        }
        await _store.AppendEventsAsync(heavy.ToArray());
        // One write at a time waits for a group commit each: start them all, then wait (they commit together).
        var writes = new Task[Users];
        for (int u = 0; u < Users; u++)
        {
            var vector = new float[32];
            vector[0] = u;
            writes[u] = _store.UpsertCfVectorAsync(u, vector).AsTask();
        }
        await Task.WhenAll(writes);
        for (int i = 0; i < Batch; i++)
            _batch[i] = rng.Next(Items);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dir.Dispose();
    }

    private long NextUser() => _next = (_next + 7919) % Users;

    [Benchmark]
    public async Task<int> UserProfile() => (await _store.GetUserProfileAsync(NextUser()))!.Segment;

    [Benchmark]
    public async Task<int> RecentHistory50() => (await _store.GetRecentHistoryAsync(NextUser(), 50)).Length;

    [Benchmark]
    public async Task<int> WholeHistoryWithImpressions() => (await _store.GetRecentHistoryAsync(Users + (_next = (_next + 1) % HeavyUsers), int.MaxValue)).Length;

    [Benchmark]
    public async Task<int> CfVector() => (await _store.GetCfVectorAsync(NextUser()))!.Length;

    [Benchmark]
    public async Task<int> Items500()
    {
        await _store.GetItemsAsync(_batch, _items);
        return _items[0]!.Categories.Length;
    }

    [Benchmark]
    public async Task AppendEvent() =>
        await _store.AppendEventAsync(new UserEvent(NextUser(), _next % Items, EventType.Click, 1, 1_800_000_000_000, 0));
}
