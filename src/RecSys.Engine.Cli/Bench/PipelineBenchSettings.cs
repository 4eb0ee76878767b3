namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// What <see cref="PipelineBenchRunner"/> runs: a generated catalog directory, request counts, the candidate total, the
/// version, whether the HNSW graphs walk on bf16 rows (null: as saved; VersionLoadOptions.HnswBFloat16Traversal), and
/// whether mapped rows are read back onto 2 MiB pages (VersionLoadOptions.HugePageMappings), and sources added to the
/// home surface beyond its defaults (an opt-in source such as "sequence", to price it), and whether a ranker the version
/// ships serves (false: the rank-fusion fallback, as for a version without one), and how long the warm-up may go on waiting for the
/// tiered JIT to settle (<see cref="TieredJitSettler"/>; zero: not at all).
/// </summary>
internal sealed record PipelineBenchSettings(string Directory, int Requests, int Warmup, int Candidates, ulong Seed, string? Version, int K, bool? HnswBFloat16 = null,
    bool HugePages = true, IReadOnlyList<Pipeline.Config.SourceConfig>? AddedSources = null, bool UseRanker = true, TimeSpan JitSettleTime = default);
