namespace RecSys.Engine.Core.Index.Factory;

/// <summary>
/// How to build an index, as opposed to what index to build: machine knobs that never appear in a factory
/// string (two machines build the same "HNSW16,efc200" with different thread counts).
/// </summary>
public sealed record IndexBuildSettings
{
    public static IndexBuildSettings Default { get; } = new();

    /// <summary>Threads a build uses: HNSW inserts, IVF-PQ train and add (-1 = all cores).</summary>
    public int Threads { get; init; } = -1;

    /// <summary>IVF-PQ's table-sum loop (Auto = the measured winner); a comparison knob, not part of the index.</summary>
    public IvfPq.AdcKernel AdcKernel { get; init; } = IvfPq.AdcKernel.Auto;
}
