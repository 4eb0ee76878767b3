using System.Diagnostics;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;
using Xunit.Abstractions;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// A 64 MiB memory budget against several times that much data: every record is read back correctly, most of
/// them from disk (pending reads completed in batches), before and after a restart.
/// </summary>
public sealed class LargerThanMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const long Budget = 64L << 20;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>~110 bytes encoded (24 onboarding categories), ~160 bytes per KV record with key and headers.</summary>
    private static UserProfile Profile(long u) => new()
    {
        AgeBucket = (byte)(u % 10), Gender = (byte)(u % 3), Country = "N" + (u % 200), Segment = (int)(u % 16),
        CreatedAtMs = 1_600_000_000_000 + u,
        OnboardingCategories = Enumerable.Range(0, 24).Select(i => (int)((u * 31 + i) % 5000)).ToArray(),
    };

    private FasterFeatureStoreOptions Options() => new()
    {
        DataDirectory = _dir.Path,
        MemoryBudgetBytes = Budget,
        IndexBuckets = 1 << 18,
        CheckpointInterval = TimeSpan.Zero,
        BulkChunkSize = 20_000,
    };

    [Fact]
    public async Task TwoMillionUsers_64MiBBudget_AllReadsCorrect_BeforeAndAfterRestart()
    {
        const int users = 2_000_000;
        var sw = Stopwatch.StartNew();
        await using (var store = await FasterFeatureStore.OpenAsync(Options()))
        {
            long n = await store.BulkUpsertUsersAsync(Enumerable.Range(0, users).Select(u => KeyValuePair.Create((long)u, Profile(u))));
            Assert.Equal(users, n);
            output.WriteLine($"bulk load {users:N0}: {sw.Elapsed.TotalSeconds:F1} s");
            long logBytes = store.LogTailAddress;
            output.WriteLine($"KV log {logBytes / 1e6:F0} MB vs budget {Budget >> 20} MiB = {(double)logBytes / Budget:F1}x");
            Assert.True(logBytes >= 4 * Budget, $"data is only {(double)logBytes / Budget:F1}x the memory budget");

            sw.Restart();
            await VerifyAll(store, users);
            output.WriteLine($"verify all before restart: {sw.Elapsed.TotalSeconds:F1} s");
        }
        sw.Restart();
        await using (var store = await FasterFeatureStore.OpenAsync(Options()))
        {
            output.WriteLine($"reopen: {sw.Elapsed.TotalSeconds:F1} s, replayed {store.ReplayedAtOpen}");
            sw.Restart();
            await VerifyAll(store, users, stride: 7); // a spread sample after restart keeps the test short
            output.WriteLine($"verify 1/7 after restart: {sw.Elapsed.TotalSeconds:F1} s");
        }
    }

    private static async Task VerifyAll(IFeatureStore store, int users, int stride = 1)
    {
        const int batch = 1000;
        var ids = new long[batch];
        var results = new UserProfile?[batch];
        for (long start = 0; start < users; start += (long)batch * stride)
        {
            int count = 0;
            for (long u = start; u < users && count < batch; u += stride) ids[count++] = u;
            await store.GetUserProfilesAsync(ids.AsMemory(0, count), results);
            for (int i = 0; i < count; i++)
                if (!Profile(ids[i]).Equals(results[i])) Assert.Fail($"user {ids[i]} read back wrong: {results[i]}");
        }
    }
}
