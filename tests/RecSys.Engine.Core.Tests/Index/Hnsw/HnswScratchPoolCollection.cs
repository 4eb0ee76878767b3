namespace RecSys.Engine.Core.Tests.Index.Hnsw;

/// <summary>
/// Tests in this collection run with no other test in parallel: they read what HNSW searches take from the shared
/// scratch pool, which concurrent tests' searches would empty.
/// </summary>
[CollectionDefinition(nameof(HnswScratchPoolTests), DisableParallelization = true)]
public sealed class HnswScratchPoolCollection;
