using System.Collections.Concurrent;
using System.Diagnostics;
using RecSys.Engine.Features.CrashWriter;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;
using Xunit.Abstractions;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// kill -9 at random moments: a child process (RecSys.Engine.Features.CrashWriter) writes from four concurrent
/// writers and prints each acknowledged sequence number; the test kills it with SIGKILL, reopens the store on the
/// same directory and checks every acknowledged write, then starts the next child on the same (recovered) data.
/// With compaction on, the child's checkpoints also compact the KV log and delete log files while the kills land.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Runs = 4;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryAcknowledgedWrite_SurvivesSigkill_AcrossRepeatedCrashes(bool compaction)
    {
        using var dir = new TempDirectory();
        var rng = new Random(compaction ? 20261126 : 20261125);
        var acked = new List<long>();
        long replayedTotal = 0;
        long maxBegin = 0;
        int fromIncremental = 0;
        for (int run = 0; run < Runs; run++)
        {
            int killAfterMs = rng.Next(20, 800);
            long startSeq = run * 10_000_000L;
            var latestBefore = CheckpointManifest.TryRead(dir.Path)?.Checkpoints[0].Token;
            var runAcks = await RunChildAndKill(dir.Path, startSeq, killAfterMs, compaction);
            Assert.True(runAcks.Count > 0, $"run {run}: the child acknowledged nothing in {killAfterMs} ms");
            acked.AddRange(runAcks);
            // What the kill left to recover from: a checkpoint the child took that was incremental (an older index).
            if (CheckpointManifest.TryRead(dir.Path) is { } left && left.Checkpoints[0].Token != latestBefore && left.Checkpoints[0].IndexToken != Guid.Empty)
                fromIncremental++;

            await using var store = await FasterFeatureStore.OpenAsync(ChildOptions(dir.Path, compaction));
            replayedTotal += store.ReplayedAtOpen;
            maxBegin = Math.Max(maxBegin, store.LogBeginAddress);
            output.WriteLine($"run {run}: killed after {killAfterMs} ms, {runAcks.Count} acks, {store.ReplayedAtOpen} log entries replayed at reopen " +
                             $"(checkpoint {(store.RecoveredWithIndex ? "with" : "without")} an index; {fromIncremental} incremental so far), " +
                             $"KV log begins at {store.LogBeginAddress}, {store.LogBytesOnDisk / 1e6:F1} MB of log files");
            string when = $"after kill {run + 1} ({killAfterMs} ms, {runAcks.Count} acks)";
            await AssertAllPresent(store, acked, when);
            // The churn was acknowledged before the first ACK line: every churn item holds this run's value.
            if (compaction) await AssertChurn(store, startSeq, when);
        }
        // The kills must land between checkpoints at least once, or replay was never exercised.
        Assert.True(replayedTotal > 0, "no run needed log replay; the test did not exercise recovery from the log");
        // The begin address moves only by compaction: a recovered store past 64 compacted and checkpointed before a kill.
        if (compaction) Assert.True(maxBegin > 64, "no recovered store had compacted its log; the test did not exercise compaction");
        // Without compaction most checkpoints are incremental (an index every 1 MiB of log): some kill landed after the
        // child took one.
        else Assert.True(fromIncremental > 0, "no kill landed after an incremental checkpoint of the child");
    }

    /// <summary>Same settings as the child (CrashWorkload.Options), without the timer checkpoints.</summary>
    internal static FasterFeatureStoreOptions ChildOptions(string dir, bool compaction = false) => CrashWorkload.Options(dir, compaction, TimeSpan.Zero);

    private static async Task AssertChurn(IFeatureStore store, long round, string when)
    {
        var ids = Enumerable.Range(0, CrashWorkload.ChurnItems).Select(i => CrashWorkload.ChurnItemBase + i).ToArray();
        var items = new ItemMetadata?[ids.Length];
        await store.GetItemsAsync(ids, items);
        for (int i = 0; i < ids.Length; i++)
            Assert.True(CrashWorkload.ChurnItem(i, round).Equals(items[i]), $"{when}: churn item {ids[i]} is missing or not the last acknowledged value");
    }

    private static async Task<List<long>> RunChildAndKill(string dataDir, long startSeq, int killAfterMs, bool compaction)
    {
        string childDll = Path.Combine(AppContext.BaseDirectory, "RecSys.Engine.Features.CrashWriter.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(childDll);
        psi.ArgumentList.Add(dataDir);
        psi.ArgumentList.Add(startSeq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (compaction) psi.ArgumentList.Add("compaction");

        var acks = new ConcurrentQueue<long>();
        var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new ConcurrentQueue<string>();
        using var child = Process.Start(psi)!;
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            // "ACK <n> OK": a line cut short by the kill has no " OK" and is not counted.
            if (e.Data.StartsWith("ACK ", StringComparison.Ordinal) && e.Data.EndsWith(" OK", StringComparison.Ordinal))
            {
                acks.Enqueue(long.Parse(e.Data.AsSpan(4, e.Data.Length - 7), System.Globalization.CultureInfo.InvariantCulture));
                firstAck.TrySetResult();
            }
        };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Enqueue(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();

        // The kill clock starts at the first acknowledgement, so a slow start on a loaded machine still leaves
        // writes to check.
        var started = await Task.WhenAny(firstAck.Task, child.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (started != firstAck.Task)
        {
            if (!child.HasExited) child.Kill();
            Assert.Fail($"crash child did not start: {string.Join(Environment.NewLine, stderr)}");
        }
        await Task.Delay(killAfterMs);
        Assert.False(child.HasExited, $"crash child exited early: {string.Join(Environment.NewLine, stderr)}");
        child.Kill(); // SIGKILL on Unix: no finally blocks, no Dispose, no flush
        await child.WaitForExitAsync(); // also drains the redirected output
        // The child's compaction loop reports its failures on stderr; a compaction that always failed would leave
        // nothing compacted to recover and go unnoticed otherwise.
        Assert.DoesNotContain(stderr, line => line.StartsWith("compaction:", StringComparison.Ordinal));
        return [.. acks];
    }

    internal static async Task AssertAllPresent(IFeatureStore store, List<long> acked, string when)
    {
        var profiles = acked.Where(n => n % 3 == 0).ToArray();
        var profileResults = new UserProfile?[profiles.Length];
        await store.GetUserProfilesAsync(profiles, profileResults);
        for (int i = 0; i < profiles.Length; i++)
            Assert.True(CrashWorkload.Profile(profiles[i]).Equals(profileResults[i]), $"{when}: acknowledged profile {profiles[i]} is missing or wrong");

        var items = acked.Where(n => n % 3 == 2).ToArray();
        var itemResults = new ItemMetadata?[items.Length];
        await store.GetItemsAsync(items, itemResults);
        for (int i = 0; i < items.Length; i++)
            Assert.True(CrashWorkload.Item(items[i]).Equals(itemResults[i]), $"{when}: acknowledged item {items[i]} is missing or wrong");

        var events = acked.Where(n => n % 3 == 1).Select(CrashWorkload.Event).ToArray();
        foreach (var byUser in events.GroupBy(e => e.UserId))
        {
            // Each event has its own item: every acknowledged one is in the history or, once it fell out, in the older seen items.
            var history = (await store.GetRecentHistoryAsync(byUser.Key, 1000)).Select(h => h.ItemId).ToHashSet();
            var older = await store.GetOlderSeenItemsAsync(byUser.Key);
            Assert.True(history.Count <= 20, $"{when}: user {byUser.Key} holds {history.Count} events, more than the capacity");
            Assert.Empty(older.Intersect(history));
            foreach (var e in byUser)
                Assert.True(history.Contains(e.ItemId) || Array.BinarySearch(older, e.ItemId) >= 0, $"{when}: acknowledged event {e.ItemId} missing from user {e.UserId}'s history and older seen items");
        }
        // Every event has its own item, so each counter must be exactly 1 at the event's time: 0 would be a lost
        // write, 2 a write applied twice by replay.
        foreach (var e in events)
        {
            var c = new double[1];
            await store.GetItemCountersAsync(new[] { e.ItemId }, -1, e.TimestampMs, c);
            Assert.True(c[0] == 1.0, $"{when}: counter of item {e.ItemId} is {c[0]}, expected exactly 1");
            await store.GetItemCountersAsync(new[] { e.ItemId }, e.Segment, e.TimestampMs, c);
            Assert.True(c[0] == 1.0, $"{when}: segment counter of item {e.ItemId} is {c[0]}, expected exactly 1");
        }
    }
}
