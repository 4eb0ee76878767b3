using System.Text;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Pipeline.Experiments;

/// <summary>
/// Experiments from a JSON file (snake_case, as the registry's files):
/// <code>
///   {"experiments": [{"name": "home-ranker", "salt": "2025-06", "surfaces": ["home"],
///     "variants": [{"name": "control", "share": 0.5},
///                  {"name": "mlp", "share": 0.5, "ranker": "v20250601T120000Z-3fa2c1", "mmr_lambda": 0.8,
///                   "sources": [{"name": "collaborative", "count": 200, "budget": "00:00:00.050", "weight": 1}]}]}]}
/// </code>
/// Every fault is an <see cref="InvalidDataException"/> that names the file and the field: JSON that does not parse,
/// a value of the wrong type, a field the format does not have (a misspelt override would otherwise be ignored),
/// a missing or null required one, and each experiment's own checks (<see cref="ExperimentConfig.Validate"/>:
/// shares, names). What needs the pipeline (surfaces known, one experiment per surface, versions in the registry)
/// is checked when the pipeline is given the experiments (<see cref="RecommendationPipeline.SetExperimentsAsync"/>).
/// </summary>
public static class ExperimentConfigFile
{
    private const string What = "experiments file";

    private sealed record Document(IReadOnlyList<ExperimentConfig> Experiments);

    public static IReadOnlyList<ExperimentConfig> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Checked(RegistryJson.Read<Document>(path, What, RegistryJson.Strict), path);
    }

    /// <summary>Parses the file's text; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<ExperimentConfig> Parse(string json, string source = "experiments JSON")
    {
        ArgumentNullException.ThrowIfNull(json);
        return Checked(RegistryJson.Parse<Document>(Encoding.UTF8.GetBytes(json), source, What, RegistryJson.Strict), source);
    }

    /// <summary>The file's text for <paramref name="experiments"/> (what <see cref="Parse"/> reads back).</summary>
    public static string Write(IReadOnlyList<ExperimentConfig> experiments)
    {
        ArgumentNullException.ThrowIfNull(experiments);
        return Encoding.UTF8.GetString(RegistryJson.Bytes(new Document(experiments)));
    }

    private static IReadOnlyList<ExperimentConfig> Checked(Document document, string source)
    {
        var experiments = document.Experiments;
        for (int i = 0; i < experiments.Count; i++)
        {
            var experiment = experiments[i] ?? throw new InvalidDataException($"{source}: experiments[{i}] is null");
            try
            {
                experiment.Validate();
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{source}: experiments[{i}]: {e.Message}", e);
            }
        }
        return experiments;
    }
}
