using System.Text.Json;
using RecSys.Engine.Server.Hosting;

namespace RecSys.Engine.Server.Tests.Support;

/// <summary>
/// A <c>recsys serve</c> config file for a test registry: written to ROOT/serve.json with the registry and a small FASTER
/// store beside it (paths relative to the file, as users write them), read back through <see cref="ServeConfig.FromJsonFile"/>
/// so the Serving keys go through the real binding; the Server section is then the test options (free ports, test keys).
/// </summary>
public static class ServeConfigFile
{
    public static ServeConfig Write(string root, IReadOnlyDictionary<string, object>? servingKeys = null)
    {
        var serving = new Dictionary<string, object>
        {
            ["RegistryDirectory"] = "registry",
            ["SourceBudget"] = "00:00:10",
            ["FeatureStore"] = new Dictionary<string, object>
            {
                ["DataDirectory"] = "store",
                ["MemoryBudgetBytes"] = 16L << 20,
                ["IndexBuckets"] = 1 << 14,
                ["CheckpointInterval"] = "00:00:00",
            },
        };
        foreach (var (key, value) in servingKeys ?? new Dictionary<string, object>())
            serving[key] = value;
        string path = Path.Combine(root, "serve.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Server"] = new Dictionary<string, object> { ["Port"] = 0, ["Auth"] = new Dictionary<string, object> { ["Enabled"] = false } },
            ["Serving"] = serving,
        }));
        return ServeConfig.FromJsonFile(path) with { Server = ServerRig.TestOptions };
    }
}
