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
        return config;
    }
}
