using System.Text.Json;

namespace RecSys.Engine.LoadGen;

/// <summary>
/// A named preset of load flags (<c>--scenario NAME</c>): the load side of a benchmark scenario. Flags given on the
/// command line win over the preset's. NAME is a built-in preset or a JSON file of flags
/// (<c>{ "--rate": "500", "--users": "1..1000000" }</c>) for data a built-in does not describe. The server side (the
/// data set, the index, the ranker) is set up separately: each description says which.
/// </summary>
public sealed record LoadScenario(string Name, string Description, IReadOnlyDictionary<string, string> Flags)
{
    // The 1M scenarios of issue 15: a catalog of 1M items x 96 dims and 1M users, ids 1..1,000,000 (row numbers of the
    // generated data; adjust with --users / --items or a JSON scenario when the served catalog numbers them otherwise).
    private static readonly Dictionary<string, string> OneMillion = new(StringComparer.Ordinal)
    {
        ["--users"] = "1..1000000", ["--items"] = "1..1000000", ["--rate"] = "500", ["--duration"] = "30s", ["--warmup"] = "5s",
        ["--slo-ms"] = "10,100", ["--search-dim"] = "96",
    };

    public static IReadOnlyList<LoadScenario> BuiltIn { get; } =
    [
        new("smoke", "50 req/s for 5 s of Recommend against any server: does it answer at all", new Dictionary<string, string>
        {
            ["--rate"] = "50", ["--duration"] = "5s", ["--warmup"] = "1s",
        }),
        new("hnsw-1m", "Recommend at 500 req/s for 30 s, held to p99 <= 10 ms; server: 1M items x 96, 1M users, HNSW retrieval, 500 candidates ranked on CPU",
            With(OneMillion, [])),
        new("ivfpq-1m", "as hnsw-1m; server: the same catalog served from an IVF-PQ version", With(OneMillion, [])),
        new("hnsw-1m-events", "as hnsw-1m plus 200 writes/s (190 RecordEvents, 10 UpsertItems), with freshness probes (time until a click shows in the next answer); needs a Write key",
            With(OneMillion, [("--rate", "700"), ("--mix", "Recommend=500,RecordEvents=190,UpsertItems=10"), ("--freshness", "on")])),
        new("ivfpq-1m-events", "as hnsw-1m-events; server: the IVF-PQ version",
            With(OneMillion, [("--rate", "700"), ("--mix", "Recommend=500,RecordEvents=190,UpsertItems=10"), ("--freshness", "on")])),
        // No --delete-ids here: a delete is permanent, and the server takes a second delete of an item without complaint,
        // so a preset range would make every run after the first on a catalog delete nothing and still look clean.
        new("hnsw-1m-deletes", "as hnsw-1m plus 10 DeleteItems/s, one catalog item per call; needs --delete-ids A..B, a range of items no earlier run deleted (at least 17,850 ids at the preset's rate and times), and a Write key",
            With(OneMillion, [("--rate", "510"), ("--mix", "Recommend=500,DeleteItems=10")])),
        new("hnsw-1m-swap", "as hnsw-1m while version 'ivfpq' is activated 10 s into the window (recsys gen catalog --index both); errors must stay 0; needs --admin-key",
            With(OneMillion, [("--activate", "ivfpq@10")])),
        new("ivfpq-1m-swap", "as ivfpq-1m while version 'hnsw' is activated 10 s into the window; errors must stay 0; needs --admin-key",
            With(OneMillion, [("--activate", "hnsw@10")])),
        new("hnsw-1m-overload", "Recommend at 1,000 req/s (set --rate to twice the sustained rate measured): p99 of the accepted calls, RESOURCE_EXHAUSTED counts",
            With(OneMillion, [("--rate", "1000"), ("--slo-ms", "100,10")])),
    ];

    /// <summary>The preset <paramref name="nameOrFile"/> names: a built-in, or a JSON file of flag/value pairs.</summary>
    public static LoadScenario Resolve(string nameOrFile)
    {
        const string flag = "--scenario";
        if (BuiltIn.FirstOrDefault(s => s.Name == nameOrFile) is { } builtIn)
            return builtIn;
        if (!nameOrFile.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            throw new LoadArgumentException(flag, $"'{nameOrFile}' is not a scenario ({string.Join(", ", BuiltIn.Select(s => s.Name))}) or a .json file of flags");
        if (!File.Exists(nameOrFile))
            throw new LoadArgumentException(flag, $"'{nameOrFile}' does not exist");
        Dictionary<string, string>? flags;
        try
        {
            flags = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(nameOrFile));
        }
        catch (JsonException e)
        {
            throw new LoadArgumentException(flag, $"{nameOrFile}: not an object of \"--flag\": \"value\" strings ({e.Message})");
        }
        if (flags is null || flags.Keys.Any(k => k is "--scenario" or "--target"))
            throw new LoadArgumentException(flag, $"{nameOrFile}: a scenario sets load flags, not --scenario or --target");
        return new LoadScenario(Path.GetFileNameWithoutExtension(nameOrFile), $"flags from {nameOrFile}", flags);
    }

    private static Dictionary<string, string> With(Dictionary<string, string> flags, (string Flag, string Value)[] changes)
    {
        var result = new Dictionary<string, string>(flags, StringComparer.Ordinal);
        foreach (var (f, v) in changes)
            result[f] = v;
        return result;
    }
}
