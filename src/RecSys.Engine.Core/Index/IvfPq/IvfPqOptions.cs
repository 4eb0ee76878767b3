namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>Build-time shape of an <see cref="IvfPqIndex"/> ("IVF{NList},PQ{M}x8" with an optional rotation and refine store).</summary>
public sealed record IvfPqOptions
{
    /// <summary>Inverted lists (coarse centroids). Rule of thumb: ~sqrt(n) to 4 sqrt(n).</summary>
    public int NList { get; init; } = 1024;

    /// <summary>PQ sub-spaces = code bytes per vector; must divide the dimension.</summary>
    public int M { get; init; } = 24;

    /// <summary>Random orthogonal rotation before the coarse quantizer and PQ (see RandomRotation).</summary>
    public bool Rotate { get; init; } = true;

    /// <summary>Keep the float vectors (in list order) for exact re-rank (<see cref="SearchParameters.Refine"/>).</summary>
    public bool StoreVectors { get; init; } = true;

    /// <summary>Lists probed when a search leaves <see cref="SearchParameters.NProbe"/> null; at least 1.</summary>
    public int DefaultNProbe { get; init; } = 16;

    /// <summary>
    /// Re-rank depth when a search leaves <see cref="SearchParameters.Refine"/> null; 0 = no re-rank. Above 0 it
    /// needs <see cref="StoreVectors"/>.
    /// </summary>
    public int DefaultRefine { get; init; }

    /// <summary>
    /// A filter that allows less than this fraction of the items is answered by an exact scan of the allowed items
    /// instead of the nprobe lists: probing finds a filtered item only when its list is probed, so a filter allowing a
    /// handful of items spread over the lists returns ~nprobe / nlist of them. The same rule and default as
    /// <see cref="Hnsw.HnswOptions.ExactFilterThreshold"/>, so both indexes answer a selective filter alike.
    /// Search-time only: not saved (a loaded index takes the default).
    /// </summary>
    public double ExactFilterThreshold { get; init; } = Scan.FilterSelectivity.DefaultExactThreshold;

    /// <summary>
    /// A filtered search whose nprobe nearest lists did not all hold an item the filter admits widens the coarse search
    /// to this many times nprobe lists (at most all of them) and goes on in the order of their centroids' distance until
    /// nprobe lists held one. A list the filter leaves empty is passed over after testing its ids (no distances) and does
    /// not count. Filters that follow the embedding space (categories) leave the query's own lists out, and nprobe lists
    /// then hold few or none of their items: at 200k x 96, IVF1024 np8, four of 16 categories returned 4.5 of 10 results
    /// (recall 0.34); at 32, 10 (0.97), for +0.1-0.2 ms with a cheap filter (bench/results/ivfpq-filtered-2026-12-07).
    /// <para>
    /// Default 1 (nprobe lists whatever they hold): through the pipeline at 1M, whose request filter costs far more per
    /// id, a request with four included categories went from p50 6 ms to 34-48 ms (p99 16-31 to 90-106 ms) at 32, and
    /// to 36-38 ms at 4: most likely the test of every id of the lists passed over (not profiled). Raise it where a filter's answer
    /// matters more than that time. Search-time only: not saved (a loaded index takes the default).
    /// </para>
    /// </summary>
    public int FilteredProbeScale { get; init; } = 1;

    /// <summary>Coarse k-means trains on at most NList x this many points of the sample (FAISS uses 256).</summary>
    public int TrainPointsPerList { get; init; } = 256;

    /// <summary>PQ codebooks train on at most this many residuals (256 per centroid x 256).</summary>
    public int PqTrainPoints { get; init; } = 65536;

    /// <summary>Lloyd iterations of the coarse k-means (FAISS uses 10 for IVF).</summary>
    public int KMeansIterations { get; init; } = 10;

    /// <summary>Lloyd iterations of each PQ codebook (FAISS uses 25).</summary>
    public int PqIterations { get; init; } = 25;

    public ulong Seed { get; init; } = 42;

    public AdcKernel Kernel { get; init; } = AdcKernel.Auto;

    /// <summary>Default of <see cref="CoarseGraphEf"/>.</summary>
    public const int DefaultCoarseGraphEf = 64;

    /// <summary>
    /// From this many lists up, Train builds an HNSW graph over the centroids and searches probe through it
    /// instead of scanning every centroid (below it the exact scan is as fast or faster; measured in
    /// bench/results/ivfpq.md). int.MaxValue = never; 1 = always.
    /// </summary>
    public int CoarseGraphMinLists { get; init; } = 8192;

    /// <summary>Links per centroid of the coarse graph (FAISS's IVF HNSW quantizer uses 32).</summary>
    public int CoarseGraphM { get; init; } = 32;

    /// <summary>Beam width while building the coarse graph (one thread, so the graph is deterministic by Seed).</summary>
    public int CoarseGraphEfConstruction { get; init; } = 100;

    /// <summary>Beam width of a coarse graph probe when <see cref="SearchParameters.Ef"/> is not given (raised to nprobe).</summary>
    public int CoarseGraphEf { get; init; } = DefaultCoarseGraphEf;

    /// <summary>Threads for Train and Add (-1 = all cores).</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Vectors <see cref="IvfPqIndex.Train"/> needs: one per list, and 256 for each PQ codebook.</summary>
    public int MinTrainingVectors => Math.Max(NList, ProductQuantizer.CentroidsPerSubspace);

    /// <summary>
    /// The rules on these options, in one place: the index constructor and the index factory string both
    /// apply them. Throws naming the field. (M is the product quantizer's to check: it must divide the dimension.)
    /// </summary>
    internal void Validate()
    {
        AtLeast(NList, 1, nameof(NList));
        AtLeast(DefaultNProbe, 1, nameof(DefaultNProbe));
        AtLeast(DefaultRefine, 0, nameof(DefaultRefine));
        AtLeast(CoarseGraphMinLists, 1, nameof(CoarseGraphMinLists));
        AtLeast(CoarseGraphEf, 1, nameof(CoarseGraphEf));
        if (CoarseGraphM is < 2 or > 256)
            throw new ArgumentOutOfRangeException(nameof(CoarseGraphM), CoarseGraphM, "CoarseGraphM must be in 2..256");
        AtLeast(CoarseGraphEfConstruction, 1, nameof(CoarseGraphEfConstruction));
        AtLeast(FilteredProbeScale, 1, nameof(FilteredProbeScale));
        if (ExactFilterThreshold is < 0 or > 1 || double.IsNaN(ExactFilterThreshold))
            throw new ArgumentOutOfRangeException(nameof(ExactFilterThreshold), ExactFilterThreshold, "ExactFilterThreshold must be a fraction in [0, 1]");
    }

    private static void AtLeast(int value, int min, string field)
    {
        if (value < min)
            throw new ArgumentOutOfRangeException(field, value, $"{field} must be at least {min}");
    }
}
