using RecSys.Engine.Features.Faster;
using RecSys.Engine.Features.Records;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Features.Tests.Faster;

/// <summary>
/// A record that the write-ahead log would take but the KV page cannot hold (a title of about 1,048,513..1,048,540
/// ASCII characters with 1 MiB pages) was committed to the log, then refused by the applier: the writer heard
/// "Entry does not fit on page", but the entry stayed in the log, and a restart that replayed it (a crash before the
/// next checkpoint) could not open the store. Now a record over half a page is refused before the log takes it.
/// </summary>
public sealed class ItemTitleSizeTests
{
    [Theory]
    [InlineData(1_048_520)]
    [InlineData(2_000_000)]
    public async Task A_refused_oversized_title_does_not_poison_the_log_for_a_restart_after_a_crash(int Size)
    {
        using var dir = new TempDirectory();
        using var crashed = new TempDirectory();
        await using (var store = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(dir.Path)))
        {
            // Refused (the caller is told), as it should be.
            var e = await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertItemAsync(1, new ItemMetadata { Title = new string('a', Size) }).AsTask());
            Assert.Contains("at most 524,288", e.Message);
            // A bulk write with one such record writes none of its chunk.
            await Assert.ThrowsAsync<ArgumentException>(() => store.BulkUpsertItemsAsync([new(3, new ItemMetadata { Title = "ok" }), new(4, new ItemMetadata { Title = new string('b', Size) })]).AsTask());
            Assert.Null(await store.GetItemAsync(3));
            // Acknowledged after it.
            await store.UpsertItemAsync(2, new ItemMetadata { Title = "kept", Tags = ["t"] });
            // The disk as a kill -9 now would leave it: the log is committed, no checkpoint since the open.
            CopyDirectory(dir.Path, crashed.Path);
        }

        await using var reopened = await FasterFeatureStore.OpenAsync(FasterTestOptions.Small(crashed.Path));
        Assert.Null(await reopened.GetItemAsync(1));
        Assert.Equal("kept", (await reopened.GetItemAsync(2))?.Title);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string d in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, d)));
        foreach (string f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            using var src = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var dst = File.Create(Path.Combine(to, Path.GetRelativePath(from, f)));
            src.CopyTo(dst);
        }
    }
}
