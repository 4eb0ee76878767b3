using RecSys.Engine.Core.Index.Flat;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index.Factory;

/// <summary>"Flat": exact search over every vector (<see cref="FlatIndex"/>); it has no options.</summary>
public sealed record FlatIndexSpec : IndexSpec
{
    public override string Kind => "flat";

    public override string ToString() => "Flat";

    internal static FlatIndexSpec FromTokens(string spec, string[] tokens) =>
        tokens.Length == 1 ? new FlatIndexSpec() : throw new IndexSpecException(spec, tokens[1], null, "Flat takes no options");

    private protected override void CheckOptions()
    {
    }

    internal override string? TokenFor(string? field) => null;

    internal override IVectorIndex Build(int dimension, DistanceMetric metric, IndexBuildSettings build) => new FlatIndex(dimension, metric);
}
