namespace RecSys.Engine.Core.Index.Hnsw;

/// <summary>Build and default search settings of an <see cref="HnswIndex"/> (Malkov &amp; Yashunin's names).</summary>
public sealed record HnswOptions
{
    /// <summary>Links per node on the upper levels; level 0 keeps 2 * M.</summary>
    public int M { get; init; } = 16;

    /// <summary>Beam width while inserting (ef construction).</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>Beam width on level 0 when a search does not name one (<see cref="SearchParameters.Ef"/>).</summary>
    public int EfSearch { get; init; } = 64;

    /// <summary>Seed of the level draws: a single-threaded build with the same seed gives the same graph.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Fill a node's list back up to its maximum with candidates the heuristic pruned.</summary>
    public bool KeepPrunedConnections { get; init; }

    /// <summary>Threads an <see cref="HnswIndex.Add"/> batch inserts with: -1 = all cores, 1 = deterministic.</summary>
    public int BuildThreads { get; init; } = -1;

    /// <summary>
    /// A filter that allows less than this fraction of the live items is answered by an exact scan of the
    /// allowed items instead of the graph (graph search would visit ~ef / fraction nodes to fill its beam).
    /// Measured on 100k x 128 (bench/results/hnsw.md): exact wins at 2% allowed, the graph at 5%, for ef 16
    /// and 64 alike; the exact scan's cost grows with the catalog, so larger indexes may want a lower value.
    /// IVF-PQ plans on the same rule with the same default (IvfPqOptions.ExactFilterThreshold).
    /// </summary>
    public double ExactFilterThreshold { get; init; } = Scan.FilterSelectivity.DefaultExactThreshold;

    /// <summary>
    /// A filter that allows at least <see cref="ExactFilterThreshold"/> and at most this fraction of the live items
    /// is searched by the admitted-only walk (ACORN-1: only admitted nodes are expanded, two hops out where a node has
    /// few admitted neighbours), wider ones by the walk that traverses every node and admits only allowed ones.
    /// The admitted-only walk is what keeps filters whose items lie away from the query (categories that follow the
    /// embedding space) from walking the whole region around the query: at 1M x 96, 4 of 16 such categories, p50 2.3 ms
    /// and p99 15 ms became 0.25-0.5 ms and 0.4-0.9 ms; uncorrelated filters pay for it, 0.26 ms became 0.55 ms at 25%
    /// (bench/results/hnsw-acorn-filtered-2026-12-07). 0.6, not 0.5: a filter of half the categories (50.0% +- a few
    /// hundred items) split its queries between the two walks at 0.5. 0 turns it off. Search-time only: not saved.
    /// </summary>
    public double AdmittedWalkMaxFraction { get; init; } = 0.6;

    /// <summary>
    /// The admitted-only walk searches with this multiple of the search's beam (ef, raised to k first). Its beam holds
    /// only admitted nodes, far from the query when the filter leaves the query's region out, and at the same ef it
    /// recalls less than an unfiltered search: at 1M x 96 with k = ef = 200 (the pipeline's collaborative source),
    /// recall@200 was 0.85-0.87 against 0.994 unfiltered; at 2x, 0.94-0.96 for 0.35-0.5 ms more a search
    /// (bench/results/hnsw-filtered-ef-2026-12-07). 1 = the search's ef. Search-time only: not saved.
    /// </summary>
    public double AdmittedWalkEfScale { get; init; } = 2;

    /// <summary>
    /// Before a filter in the admitted-only walk's band takes that walk, look at the query's own neighbourhood (the
    /// level-0 list of the node the unfiltered descent reaches): when the filter admits there at least half the share it
    /// admits of the whole index, the filter does not leave the query's region out, and the walk that traverses every
    /// node is faster there (it has admitted nodes around it from the start) at about the same recall: an uncorrelated
    /// 25% filter took 1.3 ms by the admitted-only walk against 0.5 ms by the other at k 200 (recall 0.9995 against
    /// 0.9993); at k 10 and ef 64 the other walk recalls 0.2-0.4 points less (0.9972 against 0.9994; the same results file).
    /// False: every filter in the band takes the admitted-only walk (the rule before this option). Search-time only.
    /// </summary>
    public bool AdmittedWalkProbe { get; init; } = true;

    /// <summary>
    /// Keep a bfloat16 copy of every row and walk level 0 on it: half the bytes per visited neighbour, so
    /// fewer cache misses per hop. The head of the beam found that way (4k entries, at least 32) is scored
    /// again on the float32 rows and sorted, so the returned distances are exact and recall at ef >= 16 matches the float32 walk (at ef = k it is a little
    /// lower: no spare beam entries for the re-score to promote). Costs 2 bytes per dimension per item
    /// (rounded up to 64 bytes per row) on top of the float32 rows; built on Add and on Load (from the mapped
    /// rows), never written to disk. Measured in bench/results/hnsw.md. Filtered searches, searches with
    /// deletions and the build walk the float32 rows.
    /// </summary>
    public bool BFloat16Traversal { get; init; }

    /// <summary>
    /// Unfiltered searches without deletions walk level 0 with the two heaps (hnswlib's loop) instead of the
    /// sorted beam. The sorted beam won that A/B by 4-12% at ef >= 32 with identical answers (bench/results/hnsw.md,
    /// "Search loop A/B"), so this stays off; it exists for the test that holds the two loops to the same answers
    /// and for the A/B harness (bench hnsw-ab, variant 0). Search-time only: not saved with the graph.
    /// </summary>
    internal bool TwoHeapBeam { get; init; }

    /// <summary>
    /// The greedy descent of the upper levels scores each neighbour as it reads it, without first prefetching the
    /// list's rows (the loop before 2026-12-04). Prefetch is only a hint, so the walk and the answers are the same;
    /// this exists for the test that says so and for the A/B harness (bench hnsw-ab, variant 3). Not saved.
    /// </summary>
    internal bool PlainDescent { get; init; }

    /// <summary>
    /// The admitted-only walk reads a node's other neighbours' lists (two hops) while it has found fewer than this many
    /// admitted, unvisited neighbours; null = 2M (always, up to one list's worth). For the A/B harness
    /// (bench hnsw-filtered, variant acorn-tN). Not saved.
    /// </summary>
    internal int? AdmittedWalkTwoHopBelow { get; init; }

    /// <summary>
    /// Beam width of the admitted-only walk on level 1, whose results seed level 0; null = the search's ef, 1 = the
    /// greedy descent's one node. For the A/B harness (bench hnsw-filtered, variant acorn-uN). Not saved.
    /// </summary>
    internal int? AdmittedWalkUpperEf { get; init; }

    internal void Validate()
    {
        if (M < 2 || M > 256)
            throw new ArgumentOutOfRangeException(nameof(M), M, "M must be in 2..256");
        if (EfConstruction < 1)
            throw new ArgumentOutOfRangeException(nameof(EfConstruction), EfConstruction, "ef construction must be at least 1");
        if (EfSearch < 1)
            throw new ArgumentOutOfRangeException(nameof(EfSearch), EfSearch, "ef search must be at least 1");
        if (ExactFilterThreshold is < 0 or > 1 || double.IsNaN(ExactFilterThreshold))
            throw new ArgumentOutOfRangeException(nameof(ExactFilterThreshold), ExactFilterThreshold, "must be a fraction in [0, 1]");
        if (AdmittedWalkMaxFraction is < 0 or > 1 || double.IsNaN(AdmittedWalkMaxFraction))
            throw new ArgumentOutOfRangeException(nameof(AdmittedWalkMaxFraction), AdmittedWalkMaxFraction, "must be a fraction in [0, 1]");
        if (!(AdmittedWalkEfScale >= 1) || double.IsInfinity(AdmittedWalkEfScale))
            throw new ArgumentOutOfRangeException(nameof(AdmittedWalkEfScale), AdmittedWalkEfScale, "must be a finite multiple of at least 1");
    }
}
