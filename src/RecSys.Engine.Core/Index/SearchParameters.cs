namespace RecSys.Engine.Core.Index;

/// <summary>
/// Per-call search knobs in the FAISS shape: one object for every index, each index reading the
/// fields that concern it (ef for HNSW, nprobe for IVF) and ignoring the rest.
/// <para>
/// One meaning in every index: <b>null = the index's default</b>, which each index takes from its own options
/// (<c>HnswOptions.EfSearch</c>; <c>IvfPqOptions.DefaultNProbe</c>, <c>DefaultRefine</c>, <c>CoarseGraphEf</c>).
/// There is no "0 = default". A value that is given is checked here, once, when the object is made
/// (Ef and NProbe at least 1, Refine at least 0; the exception names the field), so the indexes read the
/// resolved value and do not check it again.
/// </para>
/// </summary>
public sealed record SearchParameters
{
    private readonly int? _ef;
    private readonly int? _nprobe;
    private readonly int? _refine;

    public static SearchParameters Default { get; } = new();

    /// <summary>Only ids this filter allows are returned; null = all.</summary>
    public IdFilter? Filter { get; init; }

    /// <summary>
    /// HNSW beam width on level 0; null = the index default. IVF-PQ with a graph over its centroids uses it as
    /// that graph's beam when choosing the lists to probe (raised to NProbe); without a graph it is ignored.
    /// At least 1 when given.
    /// </summary>
    public int? Ef
    {
        get => _ef;
        init => _ef = AtLeast(value, 1, nameof(Ef));
    }

    /// <summary>IVF lists probed; null = the index default. At least 1 when given.</summary>
    public int? NProbe
    {
        get => _nprobe;
        init => _nprobe = AtLeast(value, 1, nameof(NProbe));
    }

    /// <summary>
    /// IVF-PQ: re-rank the best R compressed-distance candidates by exact distance (FAISS's IndexRefineFlat);
    /// null = the index default, 0 = no re-rank. Needs an index that stores its vectors.
    /// </summary>
    public int? Refine
    {
        get => _refine;
        init => _refine = AtLeast(value, 0, nameof(Refine));
    }

    /// <summary>Threads a batch may use: -1 (or any value below 1) = all cores, 1 = the calling thread only.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary><see cref="MaxDegreeOfParallelism"/> resolved on this machine, the same way by every index.</summary>
    internal int ThreadCount => MaxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : Math.Min(MaxDegreeOfParallelism, Environment.ProcessorCount);

    private static int? AtLeast(int? value, int min, string field) =>
        value < min
            ? throw new ArgumentOutOfRangeException(field, value, $"SearchParameters.{field} must be at least {min} (null = the index default)")
            : value;
}
