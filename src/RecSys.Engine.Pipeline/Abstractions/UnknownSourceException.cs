namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// A surface lists a candidate source the version cannot serve (its model is missing, or no source has that name). An
/// <see cref="ArgumentException"/> on the config, typed so that a caller which added the source can tell its own input
/// apart from other config faults without reading the message.
/// </summary>
public sealed class UnknownSourceException(string surface, string source, IEnumerable<string> available)
    : ArgumentException($"surface '{surface}' lists source '{source}', which this version does not have (have: {string.Join(", ", available.Order(StringComparer.Ordinal))})", "config")
{
    public string Surface { get; } = surface;

    /// <summary>The candidate source the surface lists.</summary>
    public string SourceName { get; } = source;
}
