using RecSys.Engine.Models.Data;

namespace RecSys.Engine.Cli.Demo;

/// <summary>The options of <c>recsys demo</c>, checked once here (exit 2 naming the option).</summary>
internal sealed record DemoSettings
{
    public int Items { get; init; } = 100_000;

    public int Users { get; init; } = 20_000;

    public ulong Seed { get; init; } = 42;

    /// <summary>MovieLens 100K directory instead of the generated catalog.</summary>
    public string? MovieLens { get; init; }

    /// <summary>Where the registry and the feature store go; null = a temp directory removed on exit.</summary>
    public string? DataDirectory { get; init; }

    public int Port { get; init; } = 50051;

    /// <summary>Answer the calls and exit instead of serving until a signal.</summary>
    public bool NoServe { get; init; }

    /// <summary>Time a candidate source may take per request before it is dropped (the serving default: 50 ms).</summary>
    public int SourceBudgetMs { get; init; } = (int)Pipeline.Config.PipelineDefaults.SourceBudget.TotalMilliseconds;

    /// <summary>Items the demo user likes in the RecordEvents call.</summary>
    public int Likes { get; init; } = 8;

    public void Validate()
    {
        if (MovieLens is null)
        {
            int min = PlantedTasteCatalog.MinItems(DemoDataSet.PerUser);
            if (Items < min || Items > 10_000_000)
                throw new CliInputException($"--items must be in {min}..10000000 (got {Items})");
            if (Users is < 50 or > 10_000_000)
                throw new CliInputException($"--users must be in 50..10000000 (got {Users})");
        }
        else if (!Directory.Exists(MovieLens))
        {
            throw new CliInputException($"--movielens: directory '{MovieLens}' does not exist (MovieLens 100K: u.data, u.item, u.user)");
        }
        if (SourceBudgetMs is < 1 or > 60_000)
            throw new CliInputException($"--source-budget-ms must be in 1..60000 (got {SourceBudgetMs})");
        if (Port is < 0 or > 65535)
            throw new CliInputException($"--port must be in 0..65535 (got {Port}; 0 = any free port)");
        if (DataDirectory is not null && Directory.Exists(DataDirectory) && Directory.EnumerateFileSystemEntries(DataDirectory).Any())
            throw new CliInputException($"--data-dir: '{DataDirectory}' is not empty (the demo builds a fresh registry and store; give an empty or new directory)");
    }
}
