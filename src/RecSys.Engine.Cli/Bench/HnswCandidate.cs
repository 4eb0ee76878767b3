using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// Our HNSW: one build on all cores (or --build-threads), then one search setting per ef. "hnsw-bf16" is the
/// same index walking level 0 on its bfloat16 row copy (HnswOptions.BFloat16Traversal), re-scored on float32.
/// </summary>
internal sealed class HnswCandidate : IAnnCandidate
{
    private readonly HnswOptions _options;
    private readonly SearchParameters[] _parameters;
    private float[] _distances = [];
    private HnswIndex? _index;

    public HnswCandidate(int m, int efConstruction, IReadOnlyList<int> efs, int buildThreads, bool bfloat16Traversal)
    {
        _options = new HnswOptions { M = m, EfConstruction = efConstruction, BuildThreads = buildThreads, BFloat16Traversal = bfloat16Traversal };
        Name = bfloat16Traversal ? "hnsw-bf16" : "hnsw";
        _parameters = efs.Select(ef => new SearchParameters { Ef = ef, MaxDegreeOfParallelism = 1 }).ToArray();
        Settings = efs.Select(ef => $"ef={ef}").ToArray();
        BuildParams = $"M={m},ef_construction={efConstruction}";
    }

    public string Name { get; }

    public string BuildParams { get; }

    public IReadOnlyList<string> Settings { get; }

    public void Build(AnnDataset data, TextWriter log)
    {
        _index = new HnswIndex(data.Dimension, data.Metric, _options);
        var ids = new long[data.BaseCount];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = i;
        _index.Add(ids, data.Base);
        log.WriteLine($"[{Name}] {_index.NodeCount:N0} nodes, top level {_index.TopLevel}, {_index.MemoryBytes / (1 << 20):N0} MiB");
    }

    public void Search(int setting, ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_distances.Length < k)
            _distances = new float[k];
        _index!.Search(query, k, ids, _distances.AsSpan(0, k), _parameters[setting]);
    }

    public double BytesPerVector => _index is { Count: > 0 } ix ? (double)ix.MemoryBytes / ix.Count : 0;

    public void Dispose() => _index?.Dispose();
}
