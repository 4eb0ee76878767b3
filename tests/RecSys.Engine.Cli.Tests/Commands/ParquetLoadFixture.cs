using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Cli.Tests.Commands;

/// <summary>
/// One trained registry version ('base', items 100..139) with its serving state's store, shared by the Parquet load tests:
/// training is the slow part, and a refused load writes nothing, so the tests can share it (each successful load names
/// its own version id).
/// </summary>
public sealed class ParquetLoadFixture : IDisposable
{
    public const int ItemCount = 40;

    private readonly TempDirectory _dir = new("recsys-load-parquet");

    public ParquetLoadFixture()
    {
        string events = _dir.File("events.csv");
        var lines = new List<string> { "user,item,value,timestamp" };
        for (int u = 0; u < 30; u++)
            for (int i = 0; i < 12; i++)
                lines.Add($"u{u},{100 + (u * 7 + i * 3) % ItemCount},1,{1000 + i}");
        System.IO.File.WriteAllLines(events, lines);
        var (code, stdout, stderr) = CommandRun.Run(TrainCommand.Create(), "train", "--data", events, "--format", "csv", "--registry", Registry,
            "--id", "base", "--factors", "8", "--iterations", "3", "--cf-index", "HNSW8,efc40", "--ranker", "none", "--store", Store);
        if (code != 0)
            throw new InvalidOperationException($"training the base version failed ({code}): {stderr}{stdout}");
    }

    public string Registry => Path.Combine(_dir.Path, "registry");

    public string Store => Path.Combine(_dir.Path, "store");

    /// <summary>A fresh file path in the shared directory.</summary>
    public string File(string name) => _dir.File(Guid.NewGuid().ToString("N")[..8] + "-" + name);

    public void Dispose() => _dir.Dispose();
}
