namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// One index of the active version as the server reports it (GetStats, the recsys.index.* gauges): its name as
/// <see cref="RecommendationPipeline.SearchIndex"/> takes it ("cf", "content", an embedding set's name), its kind
/// ("hnsw", "ivfpq", "flat"), size and footprint, read while a reference on the version was held.
/// </summary>
public sealed record IndexSummary(string Name, string Kind, long Vectors, int Dimension, long MemoryBytes);
