namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// One index under test in `recsys bench ann`: built once, then searched at each of its parameter
/// settings (ef for a graph, nprobe for IVF; one setting for the exact index).
/// </summary>
internal interface IAnnCandidate : IDisposable
{
    string Name { get; }

    /// <summary>Builds over the dataset's base vectors (ids = row numbers).</summary>
    void Build(AnnDataset data, TextWriter log);

    /// <summary>The search settings to sweep, each a printable label such as "ef=64".</summary>
    IReadOnlyList<string> Settings { get; }

    /// <summary>Searches one query on the calling thread; writes k ids.</summary>
    void Search(int setting, ReadOnlySpan<float> query, int k, Span<long> ids);

    /// <summary>Bytes per indexed vector (vectors, ids and structure).</summary>
    double BytesPerVector { get; }

    /// <summary>
    /// Bytes per vector that an index serving <paramref name="setting"/> must hold: the same for every setting unless
    /// a setting needs more of the index than another (IVF-PQ re-rank needs the float vectors beside the codes).
    /// </summary>
    double BytesPerVectorAt(int setting) => BytesPerVector;

    /// <summary>Build parameters, printed in the params column.</summary>
    string BuildParams { get; }

    /// <summary>For a native peer, what was loaded: library version and the SIMD level it was compiled for; null for ours.</summary>
    string? Library => null;
}
