using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index.Factory;

/// <summary>"HNSW16,efc200[,ef64][,bf16]": an <see cref="HnswIndex"/>; unset fields take the <see cref="HnswOptions"/> defaults.</summary>
public sealed record HnswIndexSpec : IndexSpec
{
    private static readonly HnswOptions Defaults = new();

    public override string Kind => "hnsw";

    /// <summary>Links per node on the upper levels ("HNSW16"); level 0 keeps 2M.</summary>
    public int M { get; init; } = Defaults.M;

    /// <summary>Beam width while inserting ("efc200").</summary>
    public int EfConstruction { get; init; } = Defaults.EfConstruction;

    /// <summary>Default search beam ("ef64"); null = HnswOptions' default.</summary>
    public int? EfSearch { get; init; }

    /// <summary>Walk level 0 on a bfloat16 copy of the rows ("bf16").</summary>
    public bool BFloat16Traversal { get; init; }

    /// <summary>The options this spec names, every other field at its default.</summary>
    public HnswOptions ToOptions() => Defaults with
    {
        M = M,
        EfConstruction = EfConstruction,
        EfSearch = EfSearch ?? Defaults.EfSearch,
        BFloat16Traversal = BFloat16Traversal,
    };

    public override string ToString() =>
        $"HNSW{M},efc{EfConstruction}" + (EfSearch is int ef ? $",ef{ef}" : "") + (BFloat16Traversal ? ",bf16" : "");

    internal static HnswIndexSpec FromTokens(string spec, int m, string[] tokens) =>
        SpecTokens.ApplyOptions(spec, tokens.AsSpan(1), new HnswIndexSpec { M = m }, "HNSW", Options);

    // "efc" before "ef": "efc200" is not ef = "c200".
    private static readonly SpecOption<HnswIndexSpec>[] Options =
    [
        new("efc", SetNumber: (s, v) => s with { EfConstruction = v }),
        new("ef", SetNumber: (s, v) => s with { EfSearch = v }),
        new("bf16", SetFlag: s => s with { BFloat16Traversal = true }),
    ];

    private protected override void CheckOptions() => ToOptions().Validate();

    internal override string? TokenFor(string? field) => field switch
    {
        nameof(HnswOptions.M) => $"HNSW{M}",
        nameof(HnswOptions.EfConstruction) => $"efc{EfConstruction}",
        nameof(HnswOptions.EfSearch) => $"ef{EfSearch}",
        _ => null,
    };

    internal override IVectorIndex Build(int dimension, DistanceMetric metric, IndexBuildSettings build) =>
        new HnswIndex(dimension, metric, ToOptions() with { BuildThreads = build.Threads });
}
