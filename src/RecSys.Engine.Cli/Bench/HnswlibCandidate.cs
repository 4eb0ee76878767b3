using RecSys.Engine.Native.Peers;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// hnswlib (C++, native-interop/peers) as a peer in the same run: the same M / ef construction / ef list as `hnsw`,
/// built on --build-threads, searched one query per call on the benchmark thread through pinned spans.
/// </summary>
internal sealed class HnswlibCandidate : IAnnCandidate
{
    private readonly int _m;
    private readonly int _efConstruction;
    private readonly int[] _efs;
    private readonly int _buildThreads;
    private float[] _distances = [];
    private HnswlibIndex? _index;

    public HnswlibCandidate(int m, int efConstruction, IReadOnlyList<int> efs, int buildThreads, string library)
    {
        _m = m;
        _efConstruction = efConstruction;
        _efs = [.. efs];
        _buildThreads = buildThreads;
        Library = library;
        Settings = _efs.Select(ef => $"ef={ef}").ToArray();
    }

    public string Name => "hnswlib";

    public string BuildParams => $"M={_m},ef_construction={_efConstruction}";

    public IReadOnlyList<string> Settings { get; }

    public string? Library { get; }

    public void Build(AnnDataset data, TextWriter log)
    {
        _index = HnswlibIndex.Build(data.Base, data.Dimension, PeerMetrics.Of(data.Metric), _m, _efConstruction, _buildThreads);
        log.WriteLine($"[{Name}] {Library}");
    }

    public void Search(int setting, ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_distances.Length != k)
            _distances = new float[k];
        _index!.Search(query, _efs[setting], ids, _distances);
    }

    public double BytesPerVector => _index is { Count: > 0 } ix ? (double)ix.MemoryBytes / ix.Count : 0;

    public void Dispose() => _index?.Dispose();
}
