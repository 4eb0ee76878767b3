using RecSys.Engine.Core.Index.IvfPq;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index.Factory;

/// <summary>
/// "IVF1024,PQ24[,R100][,np16][,norot]": an <see cref="IvfPqIndex"/>; unset fields take the
/// <see cref="IvfPqOptions"/> defaults, except that the float vectors are kept only with R (as FAISS keeps
/// them only with a refine stage).
/// </summary>
public sealed record IvfPqIndexSpec : IndexSpec
{
    private static readonly IvfPqOptions Defaults = new();

    public override string Kind => "ivfpq";

    /// <summary>Inverted lists ("IVF1024").</summary>
    public int NList { get; init; } = Defaults.NList;

    /// <summary>PQ sub-spaces = code bytes per vector ("PQ24"); must divide the dimension.</summary>
    public int M { get; init; } = Defaults.M;

    /// <summary>
    /// "R100": keep the float vectors and re-rank the best 100 by exact distance unless a search says otherwise;
    /// "R0": keep them, re-rank only when a search asks; null (no R): keep none, so no re-rank.
    /// </summary>
    public int? Refine { get; init; }

    /// <summary>Default lists probed ("np16"); null = IvfPqOptions' default.</summary>
    public int? NProbe { get; init; }

    /// <summary>Random orthogonal rotation before the quantizers; "norot" turns it off.</summary>
    public bool Rotate { get; init; } = Defaults.Rotate;

    /// <summary>The options this spec names, every other field at its default.</summary>
    public IvfPqOptions ToOptions() => Defaults with
    {
        NList = NList,
        M = M,
        Rotate = Rotate,
        StoreVectors = Refine is not null,
        DefaultRefine = Refine ?? 0,
        DefaultNProbe = NProbe ?? Defaults.DefaultNProbe,
    };

    public override string ToString() =>
        $"IVF{NList},PQ{M}" + (Refine is int r ? $",R{r}" : "") + (NProbe is int np ? $",np{np}" : "") + (Rotate ? "" : ",norot");

    internal static IvfPqIndexSpec FromTokens(string spec, int nlist, string[] tokens)
    {
        if (tokens.Length < 2 || SpecTokens.Number(spec, tokens[1], "PQ") is not int m)
            throw new IndexSpecException(spec, tokens.Length < 2 ? tokens[0] : tokens[1], null, "IVF<nlist> is followed by PQ<m>, e.g. IVF1024,PQ24");
        return SpecTokens.ApplyOptions(spec, tokens.AsSpan(2), new IvfPqIndexSpec { NList = nlist, M = m }, "IVF-PQ", Options);
    }

    private static readonly SpecOption<IvfPqIndexSpec>[] Options =
    [
        new("R", SetNumber: (s, v) => s with { Refine = v }),
        new("np", SetNumber: (s, v) => s with { NProbe = v }),
        new("norot", SetFlag: s => s with { Rotate = false }),
    ];

    private protected override void CheckOptions() => ToOptions().Validate();

    // "m" is the product quantizer's name for M (it checks M against the dimension when the index is built).
    internal override string? TokenFor(string? field) => field switch
    {
        nameof(IvfPqOptions.NList) => $"IVF{NList}",
        nameof(IvfPqOptions.M) or "m" => $"PQ{M}",
        nameof(IvfPqOptions.DefaultRefine) => $"R{Refine}",
        nameof(IvfPqOptions.DefaultNProbe) => $"np{NProbe}",
        _ => null,
    };

    internal override IVectorIndex Build(int dimension, DistanceMetric metric, IndexBuildSettings build) =>
        new IvfPqIndex(dimension, metric, ToOptions() with { MaxDegreeOfParallelism = build.Threads, Kernel = build.AdcKernel });
}
