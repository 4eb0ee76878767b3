using RecSys.Engine.Core.Validation;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index.Factory;

/// <summary>
/// Builds an empty index from a factory string or an <see cref="IndexSpec"/> (the grammar is on IndexSpec):
/// <c>IndexFactory.Create("HNSW16,efc200", 128, DistanceMetric.Cosine)</c>. An IVF-PQ index comes back
/// untrained: train it (<c>IvfPqIndex.Train</c>) on a sample before adding vectors.
/// </summary>
public static class IndexFactory
{
    public static IVectorIndex Create(string spec, int dimension, DistanceMetric metric) =>
        Create(IndexSpec.Parse(spec), dimension, metric);

    /// <summary>
    /// Builds <paramref name="spec"/> for <paramref name="dimension"/>; a spec that does not fit the dimension
    /// (PQ m must divide it) is an <see cref="IndexSpecException"/> naming the token.
    /// </summary>
    public static IVectorIndex Create(IndexSpec spec, int dimension, DistanceMetric metric, IndexBuildSettings? build = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            return spec.Build(dimension, metric, build ?? IndexBuildSettings.Default);
        }
        catch (ArgumentException e) when (spec.TokenFor(e.ParamName) is not null)
        {
            throw new IndexSpecException(spec.ToString(), spec.TokenFor(e.ParamName)!, e.ParamName, ArgumentReason.Of(e), e);
        }
    }
}
