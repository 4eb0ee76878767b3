using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// A bulk-loaded embedding set of a version: the rows in load order (a RecSys vector file), the external item id
/// of each row (an id file), and the index built over them (ids = catalog ordinals).
/// </summary>
public sealed record EmbeddingEntry
{
    public required string Name { get; init; }

    public required int Dimension { get; init; }

    public required DistanceMetric Metric { get; init; }

    public required long Count { get; init; }

    public required string Vectors { get; init; }

    public required string Ids { get; init; }

    public required IndexEntry Index { get; init; }
}
