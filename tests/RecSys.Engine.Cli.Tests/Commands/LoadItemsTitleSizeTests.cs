using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>
/// `recsys load --items` checks every row before the first is applied, "so a bad row changes nothing". Since the store
/// keeps the title (5767a8e), a title too long for a store record passed both check passes and was refused by the store
/// in the apply pass, after the batches before it were applied and saved. Now an item's text is bounded
/// (ItemAttributes.MaxTextBytes) and the check pass refuses the row: exit 2 naming the file, the row and the field.
/// </summary>
public sealed class LoadItemsTitleSizeTests : IDisposable
{
    private readonly TempDirectory _dir = new("recsys-load-title");

    public void Dispose() => _dir.Dispose();

    private string Registry => Path.Combine(_dir.Path, "registry");

    [Fact]
    public async Task A_title_the_store_cannot_hold_is_refused_before_any_row_is_applied()
    {
        string events = _dir.File("events.csv");
        var lines = new List<string> { "user,item,value,timestamp" };
        for (int u = 0; u < 30; u++)
            for (int i = 0; i < 12; i++)
                lines.Add($"u{u},{100 + (u * 7 + i * 3) % 40},1,{1000 + i}");
        File.WriteAllLines(events, lines);
        string store = Path.Combine(_dir.Path, "store");
        Assert.Equal(0, CommandRun.Run(TrainCommand.Create(), "train", "--data", events, "--format", "csv",
            "--registry", Registry, "--factors", "8", "--iterations", "3", "--ranker", "none", "--store", store).Code);

        string items = _dir.File("items.csv");
        // More rows than one batch (1,024) before the long title.
        File.WriteAllLines(items, ["id,title", .. Enumerable.Range(900, 1100).Select(i => $"{i},never applied"), $"5000,{new string('a', 2_000_000)}"]);
        var run = CommandRun.Run(LoadCommand.Create(), "load", "--registry", Registry, "--items", items, "--store", store);
        Assert.True(run.Code == 2, $"exit {run.Code}: {run.Stderr}");
        Assert.Contains(items, run.Stderr);
        Assert.Contains("1102", run.Stderr); // the file's line of that row
        Assert.Contains("title 2,000,000", run.Stderr);
        Assert.Contains("65,536", run.Stderr);

        await using var state = await ServingState.OpenAsync(Registry, store, new ServingStateOptions { Load = new VersionLoadOptions { IgnoreRanker = true } });
        Assert.Null(await state.Store.GetItemAsync(900));
        Assert.False(state.Catalog.Items.TryGetOrdinal(900, out _));
    }
}
