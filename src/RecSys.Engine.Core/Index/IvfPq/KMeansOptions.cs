namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>Knobs of <see cref="KMeans.Train"/>. The same options and data give the same centroids on any core count.</summary>
public sealed record KMeansOptions
{
    /// <summary>Lloyd iterations at most (training stops early when no point changes cluster).</summary>
    public int Iterations { get; init; } = 20;

    public ulong Seed { get; init; } = 42;

    public KMeansInit Init { get; init; } = KMeansInit.Auto;

    /// <summary>-1 = all cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;
}
