using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Core.Index;

/// <summary>
/// The one contract every vector index answers (the FAISS Index shape): add with ids, batched search
/// with per-call parameters, remove, save. Load is a static factory on each implementation.
/// <para>
/// Vectors are row-major float32, <see cref="Dimension"/> values per row. Distances are "smaller is
/// closer" (<see cref="DistanceMetric"/>). Results for query q sit at [q * k, q * k + k), closest first,
/// ties broken by the smaller id; when fewer than k ids qualify, the tail holds id -1 and +infinity.
/// </para>
/// </summary>
public interface IVectorIndex : IDisposable
{
    /// <summary>Short name as the benchmark and factory spell it ("flat", "hnsw").</summary>
    string Kind { get; }

    int Dimension { get; }

    DistanceMetric Metric { get; }

    long Count { get; }

    /// <summary>Bytes the index holds for its vectors, ids and structure (for bytes-per-vector reports).</summary>
    long MemoryBytes { get; }

    /// <summary>Adds ids.Length vectors. Duplicate ids and non-finite values are rejected, naming the row.</summary>
    void Add(ReadOnlySpan<long> ids, ReadOnlySpan<float> vectors);

    /// <summary>Searches queries.Length / Dimension queries; ids and distances hold nq * k entries.</summary>
    void Search(ReadOnlySpan<float> queries, int k, Span<long> ids, Span<float> distances, SearchParameters? parameters = null);

    /// <summary>Removes the given ids; unknown ids are ignored. Returns how many were removed.</summary>
    int Remove(ReadOnlySpan<long> ids);

    /// <summary>Writes the index into <paramref name="directory"/> (created if missing), crash-safe.</summary>
    void Save(string directory);
}
