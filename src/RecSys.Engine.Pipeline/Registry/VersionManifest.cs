namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// manifest.json of a registry version: what the version is and every file it holds, each with its size and
/// SHA-256. Written last, through the durable-file helper, after every file it lists is on the disk: a version
/// directory without one is a save that never finished, and is never listed.
/// <code>
///   id, created_at, parent, description       who it is (parent: the version it was derived from, a bulk load)
///   training                                  what it was trained on (users, items, events, time range, source)
///   items                                     catalog ids in its id map (catalog/catalog.ids)
///   catalog                                   the key tables: categories, segments (file names under catalog/)
///   models                                    role -> model directory (ModelStore): als, content, popularity, trending
///   indexes                                   role -> {spec, path}: cf (ALS item factors), content
///   embeddings                                bulk-loaded sets: name, dimension, metric, rows, vectors, ids, index
///   ranker, towers                            optional .onnx files (towers: user, item)
///   metrics                                   evaluation metrics ("ndcg@10": 0.49)
///   cf_vector_tag                             names the ALS model in stored CF vectors (from the ALS files' hashes)
///   files                                     relative path -> {bytes, sha256}
/// </code>
/// </summary>
public sealed record VersionManifest
{
    public const string FileName = "manifest.json";
    public const string CurrentFormat = "recsys-version";
    public const int CurrentFormatVersion = 1;

    public string Format { get; init; } = CurrentFormat;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    public required string Id { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string? Parent { get; init; }

    public string Description { get; init; } = "";

    public TrainingSummary Training { get; init; } = new();

    /// <summary>Items in the version's catalog id map (its model ordinals are the first ones of it).</summary>
    public int Items { get; init; }

    /// <summary>The categories and segments key tables: file names under catalog/.</summary>
    public Dictionary<string, string> Catalog { get; init; } = [];

    /// <summary>Role ("als", "content", "popularity", "trending") -> model directory saved by ModelStore.</summary>
    public Dictionary<string, string> Models { get; init; } = [];

    /// <summary>Role ("cf", "content") -> the index and its factory string.</summary>
    public Dictionary<string, IndexEntry> Indexes { get; init; } = [];

    public List<EmbeddingEntry> Embeddings { get; init; } = [];

    /// <summary>The ranker model file (null: the rank-fusion fallback).</summary>
    public string? Ranker { get; init; }

    /// <summary>Tower model files ("user", "item").</summary>
    public Dictionary<string, string> Towers { get; init; } = [];

    public Dictionary<string, double> Metrics { get; init; } = [];

    public int CfVectorTag { get; init; }

    /// <summary>Relative path ('/' separated) -> size and SHA-256, for every file of the version but this one.</summary>
    public Dictionary<string, VersionFile> Files { get; init; } = [];
}
