using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Experiments;

namespace RecSys.Engine.Server.Hosting;

/// <summary>
/// A whole <c>recsys serve</c> config file: the "Server" section (<see cref="ServerOptions"/>: ports, TLS, keys, metrics,
/// limits) and the "Serving" section (<see cref="ServingOptions"/>: registry and feature store). Read and checked at
/// once by <see cref="FromJsonFile"/>; <see cref="RecSysServer.ServeAsync"/> runs it.
/// </summary>
public sealed record ServeConfig
{
    public ServerOptions Server { get; init; } = new();

    public ServingOptions Serving { get; init; } = new();

    /// <summary>The experiments of <see cref="ServingOptions.ExperimentsFile"/>, as read by <see cref="FromJsonFile"/> (empty: none).</summary>
    public IReadOnlyList<ExperimentConfig> Experiments { get; init; } = [];

    /// <summary>The file of <see cref="ServingOptions.PipelineConfigFile"/>, as read by <see cref="FromJsonFile"/> (null: none, the defaults).</summary>
    public PipelineConfigFile? PipelineFile { get; init; }

    /// <summary>
    /// Reads and validates <paramref name="path"/>: a missing file, bad JSON, an unknown key, a value of the wrong type or
    /// out of range is a <see cref="ServerConfigException"/> naming the key. Relative paths are made absolute against the
    /// file's directory.
    /// </summary>
    public static ServeConfig FromJsonFile(string path)
    {
        var root = ConfigFile.Load(path);
        foreach (var section in root.GetChildren())
        {
            if (!string.Equals(section.Key, ServerOptions.SectionName, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(section.Key, ServingOptions.SectionName, StringComparison.OrdinalIgnoreCase))
                throw new ServerConfigException(section.Path, $"{section.Path}: unknown section in {path} (the sections are Server and Serving)");
        }
        var config = new ServeConfig
        {
            Server = ServerOptions.FromConfiguration(root.GetSection(ServerOptions.SectionName)),
            Serving = ConfigFile.Bind(root.GetSection(ServingOptions.SectionName), () => new ServingOptions())
                .RelativeTo(Path.GetDirectoryName(Path.GetFullPath(path))!),
        };
        config.Server.Validate();
        config.Serving.Validate();
        return config with { Experiments = ReadExperiments(config.Serving), PipelineFile = ReadPipelineConfig(config.Serving) };
    }

    /// <summary>
    /// The experiments file of <paramref name="serving"/> (none: empty), checked as far as a file can be: JSON, field
    /// names and types, each experiment's shares and names. A fault is a <see cref="ServerConfigException"/> on
    /// Serving:ExperimentsFile whose message names the file and the field. What needs the served version (surfaces it
    /// has, registry versions a variant names) is checked when the server applies them.
    /// </summary>
    public static IReadOnlyList<ExperimentConfig> ReadExperiments(ServingOptions serving)
    {
        ArgumentNullException.ThrowIfNull(serving);
        if (serving.ExperimentsFile is not { } path)
            return [];
        try
        {
            return ExperimentConfigFile.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ServerConfigException(ExperimentsKey, $"{ExperimentsKey}: {e.Message}");
        }
    }

    /// <summary>
    /// The pipeline config file of <paramref name="serving"/> (none: null), checked as far as a file can be without the
    /// served version's models: JSON, field names and types, names listed twice. A fault is a
    /// <see cref="ServerConfigException"/> on Serving:PipelineConfigFile whose message names the file and the field. The
    /// values are checked when the server applies the file to the version's defaults, before it listens.
    /// </summary>
    public static PipelineConfigFile? ReadPipelineConfig(ServingOptions serving)
    {
        ArgumentNullException.ThrowIfNull(serving);
        if (serving.PipelineConfigFile is not { } path)
            return null;
        try
        {
            return PipelineConfigFile.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new ServerConfigException(PipelineConfigKey, $"{PipelineConfigKey}: {e.Message}");
        }
    }

    internal const string PipelineConfigKey = ServingOptions.SectionName + ":" + nameof(ServingOptions.PipelineConfigFile);

    internal const string ExperimentsKey = ServingOptions.SectionName + ":" + nameof(ServingOptions.ExperimentsFile);
}
