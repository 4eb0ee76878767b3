using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>How <see cref="EmbeddingImport"/> takes a stream of item embeddings into a new version.</summary>
public sealed record EmbeddingImportOptions
{
    /// <summary>The embedding set's name (a file name: letters, digits, '.', '_', '-'); the item page's source is "embedding:NAME".</summary>
    public required string Name { get; init; }

    /// <summary>Values per row; 0 = the first row's length.</summary>
    public int Dimension { get; init; }

    public DistanceMetric Metric { get; init; } = DistanceMetric.Cosine;

    /// <summary>The index to build over the rows, as a factory string (IndexSpec).</summary>
    public string Index { get; init; } = "HNSW16,efc200";

    public IndexBuildSettings Build { get; init; } = IndexBuildSettings.Default;

    /// <summary>An id the base version does not know becomes a new item of the new version (appended to its id map); false = a row error.</summary>
    public bool AddUnknownItems { get; init; } = true;

    /// <summary>Skip bad rows (counted, the first messages kept) instead of refusing them with an <see cref="EmbeddingRowException"/>.</summary>
    public bool SkipBadRows { get; init; }

    /// <summary>The new version's id; null = a fresh one.</summary>
    public string? VersionId { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Rows taken so far, then index building, then the copy of the base version's files.</summary>
    public IProgress<EmbeddingImportProgress>? Progress { get; init; }

    /// <summary>Rows between two progress reports while rows stream in.</summary>
    public int ProgressInterval { get; init; } = 10_000;
}
