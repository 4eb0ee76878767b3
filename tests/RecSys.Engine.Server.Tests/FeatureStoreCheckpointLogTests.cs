using Microsoft.Extensions.Logging;
using RecSys.Engine.Pipeline.Tests.Support;
using RecSys.Engine.Server.Tests.Support;

namespace RecSys.Engine.Server.Tests;

/// <summary>
/// The embedded store's checkpoints in the server's log (category RecSys.Engine.Server.FeatureStore), through
/// <c>recsys serve</c>'s path with a real FASTER store on a fast timer: one Information line per checkpoint, a Warning
/// when one fails (a periodic checkpoint has no caller to throw to), and a line when they succeed again.
/// </summary>
public sealed class FeatureStoreCheckpointLogTests(TrainedPlanted trained) : IClassFixture<TrainedPlanted>
{
    private const string Category = "RecSys.Engine.Server.FeatureStore";

    /// <summary>An overall deadline for what the timer does on its own: generous, for a shared 2-core machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task WaitFor(LogCapture logs, Func<(LogLevel Level, string Category, string Message), bool> line, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!logs.Entries.Any(line) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(logs.Entries.Any(line), $"no {what} within {Patience}");
    }

    [Fact]
    public async Task Checkpoints_are_logged_a_failed_one_as_a_warning_and_the_recovery_too()
    {
        using var rig = new RegistryRig(trained);
        string root = Path.GetDirectoryName(rig.RegistryDirectory)!;
        await using (await rig.CreateAsync("v1"))
        {
        }
        var config = ServeConfigFile.Write(root, new Dictionary<string, object>
        {
            ["FeatureStore"] = new Dictionary<string, object>
            {
                ["DataDirectory"] = "store", ["MemoryBudgetBytes"] = 16L << 20, ["IndexBuckets"] = 1 << 14, ["CheckpointInterval"] = "00:00:00.200",
            },
        });
        var logs = new LogCapture();
        await ServeRun.RunAsync(config, logs, async (_, _, _) =>
        {
            await WaitFor(logs, e => e.Category == Category && e.Level == LogLevel.Information && e.Message.StartsWith("feature store checkpoint ", StringComparison.Ordinal)
                                     && e.Message.Contains("ms in FASTER", StringComparison.Ordinal), "checkpoint line");

            // A non-empty folder where the manifest goes: the next checkpoints fail when they write it.
            string manifest = Path.Combine(config.Serving.FeatureStore.DataDirectory!, "checkpoints.json");
            while (!File.Exists(Path.Combine(manifest, "blocked")))
            {
                // A periodic checkpoint may write the file back between the delete and the folder: go again.
                File.Delete(manifest);
                try { Directory.CreateDirectory(manifest); File.WriteAllText(Path.Combine(manifest, "blocked"), ""); }
                catch (IOException) { }
            }
            try
            {
                await WaitFor(logs, e => e.Category == Category && e.Level == LogLevel.Warning && e.Message.Contains("checkpoint failed", StringComparison.Ordinal)
                                         && e.Message.Contains("write-ahead log", StringComparison.Ordinal), "warning for a failed checkpoint");
            }
            finally
            {
                Directory.Delete(manifest, recursive: true);
            }
            await WaitFor(logs, e => e.Category == Category && e.Level == LogLevel.Information && e.Message.Contains("succeeded again", StringComparison.Ordinal),
                "Information line for the recovery");
        });
    }
}
