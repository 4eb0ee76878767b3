namespace RecSys.Engine.Pipeline.Config;

/// <summary>
/// One candidate source on a surface: how many candidates it is asked for, how long it may take before it is
/// dropped for the request, its weight in the rank-fusion fallback, and the HNSW beam (ef) for index sources
/// (raised to the count when smaller).
/// </summary>
public sealed record SourceConfig(string Name, int Count, TimeSpan Budget, float Weight = 1f, int Ef = 64);
