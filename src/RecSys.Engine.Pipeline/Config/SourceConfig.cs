namespace RecSys.Engine.Pipeline.Config;

/// <summary>
/// One candidate source on a surface: how many candidates it is asked for, how long it may take before it is
/// dropped for the request, its weight in the rank-fusion fallback, and the search beam (ef) of index sources:
/// null = the index's default, which HNSW raises to the number of results asked for.
/// </summary>
public sealed record SourceConfig(string Name, int Count, TimeSpan Budget, float Weight = 1f, int? Ef = null);
