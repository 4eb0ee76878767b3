using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.Hnsw;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// Our HNSW: one build on all cores (or --build-threads), then one search setting per ef. "hnsw-bf16" is the
/// same index walking level 0 on its bfloat16 row copy (HnswOptions.BFloat16Traversal), re-scored on float32.
/// </summary>
internal sealed class HnswCandidate : IAnnCandidate
{
    private readonly HnswIndexSpec _spec;
    private readonly SpecSource _source;
    private readonly IndexBuildSettings _build;
    private readonly SearchParameters[] _parameters;
    private float[] _distances = [];
    private HnswIndex? _index;

    /// <param name="efSweep">One search setting per entry, each naming its Ef.</param>
    public HnswCandidate(HnswIndexSpec spec, SpecSource source, IReadOnlyList<SearchParameters> efSweep, int buildThreads)
    {
        _spec = spec;
        _source = source;
        _build = new IndexBuildSettings { Threads = buildThreads };
        Name = spec.BFloat16Traversal ? "hnsw-bf16" : "hnsw";
        _parameters = [.. efSweep];
        Settings = _parameters.Select(p => $"ef={p.Ef}").ToArray();
        BuildParams = $"M={spec.M},ef_construction={spec.EfConstruction}";
    }

    public string Name { get; }

    public string BuildParams { get; }

    public IReadOnlyList<string> Settings { get; }

    public void Build(AnnDataset data, TextWriter log)
    {
        _index = (HnswIndex)_source.Create(_spec, data, _build);
        _index.Add(data.RowIds(), data.Base);
        // As every build path of the engine does (and inside the timed build): nodes renumbered for locality.
        _index = (HnswIndex)IndexLayout.ForSearch(_index);
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
