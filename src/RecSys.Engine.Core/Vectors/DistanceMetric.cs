namespace RecSys.Engine.Core.Vectors;

/// <summary>
/// How two vectors are compared. Every index reports a <em>distance</em>: smaller is closer.
/// <list type="bullet">
/// <item><see cref="L2"/>: squared Euclidean distance.</item>
/// <item><see cref="InnerProduct"/>: the negated dot product (so the largest dot is the smallest distance).</item>
/// <item><see cref="Cosine"/>: 1 - dot on vectors normalised when they enter the index.</item>
/// </list>
/// The numeric values are stored in file headers: never renumber.
/// </summary>
public enum DistanceMetric
{
    L2 = 1,
    InnerProduct = 2,
    Cosine = 3,
}
