namespace RecSys.Engine.Server.Hosting;

/// <summary>Bounds on what one request may carry, checked at the edge (a call past one is INVALID_ARGUMENT naming the field).</summary>
public sealed record RequestLimits
{
    /// <summary>Longest id string (UTF-16 characters). Default 256.</summary>
    public int MaxIdLength { get; init; } = 256;

    /// <summary>Longest title, category, tag, surface, query text or other string field. Default 1024.</summary>
    public int MaxStringLength { get; init; } = 1024;

    /// <summary>Most categories, tags, filter entries or onboarding categories in one list. Default 1000.</summary>
    public int MaxListLength { get; init; } = 1000;

    /// <summary>Most events in one RecordEvents call (the whole stream) or RecordEventsBatch. Default 10000.</summary>
    public int MaxEventsPerCall { get; init; } = 10_000;

    /// <summary>Most items in one UpsertItems call (the whole stream) or DeleteItems; most users in one UpsertUsers. Default 10000.</summary>
    public int MaxItemsPerCall { get; init; } = 10_000;

    /// <summary>Most candidates in one Rank call. Default 1000.</summary>
    public int MaxRankItems { get; init; } = 1000;

    /// <summary>Largest k of SearchVectors (Recommend's k is bounded by the surface). Default 1000.</summary>
    public int MaxSearchK { get; init; } = 1000;

    /// <summary>
    /// Largest ef or nprobe of SearchVectors. Default 4096. A filtered HNSW search that takes the admitted-only walk
    /// searches with <c>HnswOptions.AdmittedWalkEfScale</c> (2) times the ef given, so up to twice this.
    /// </summary>
    public int MaxSearchBeam { get; init; } = 4096;

    /// <summary>Most rows in one BulkLoadEmbeddings chunk. Default 65536.</summary>
    public int MaxRowsPerChunk { get; init; } = 65_536;

    internal void Validate(string key)
    {
        Positive(key, nameof(MaxIdLength), MaxIdLength);
        Positive(key, nameof(MaxStringLength), MaxStringLength);
        Positive(key, nameof(MaxListLength), MaxListLength);
        Positive(key, nameof(MaxEventsPerCall), MaxEventsPerCall);
        Positive(key, nameof(MaxItemsPerCall), MaxItemsPerCall);
        Positive(key, nameof(MaxRankItems), MaxRankItems);
        Positive(key, nameof(MaxSearchK), MaxSearchK);
        Positive(key, nameof(MaxSearchBeam), MaxSearchBeam);
        Positive(key, nameof(MaxRowsPerChunk), MaxRowsPerChunk);
    }

    private static void Positive(string key, string name, int value)
    {
        if (value < 1)
            throw new ServerConfigException($"{key}:{name}", $"{key}:{name} must be at least 1 (got {value})");
    }
}
