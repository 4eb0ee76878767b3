using Cloud.Unum.USearch;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// USearch (C++ HNSW, from NuGet) as the peer in the same run. Its .NET binding fixes expansion_search
/// at construction and has no way to change it later, so one build gives one ef setting.
/// </summary>
internal sealed class USearchCandidate(int connectivity, int expansionAdd, int efSearch) : IAnnCandidate
{
    private USearchIndex? _index;
    private float[] _query = [];
    private ulong[] _keys = [];
    private float[] _dists = [];
    private long _count;
    private string? _tempFile;

    public string Name => "usearch";

    public string BuildParams => $"M={connectivity},ef_construction={expansionAdd}";

    public IReadOnlyList<string> Settings { get; } = [$"ef={efSearch}"];

    public void Build(AnnDataset data, TextWriter log)
    {
        var metric = data.Metric switch
        {
            DistanceMetric.Cosine => MetricKind.Cos,
            DistanceMetric.L2 => MetricKind.L2sq,
            _ => MetricKind.Ip,
        };
        var build = new USearchIndex(metric, ScalarKind.Float32, (ulong)data.Dimension, (ulong)connectivity, (ulong)expansionAdd, (ulong)efSearch, false);
        var progress = new StderrProgress(log, "usearch add");
        var row = new float[data.Dimension];
        for (int i = 0; i < data.BaseCount; i++)
        {
            data.Base.AsSpan(i * data.Dimension, data.Dimension).CopyTo(row);
            build.Add((ulong)i, row);
            if ((i & 0x3FF) == 0)
                progress.Report((double)i / data.BaseCount);
        }
        progress.Report(1.0);
        _count = data.BaseCount;
        _tempFile = Path.Combine(Path.GetTempPath(), $"recsys-usearch-{Guid.NewGuid():N}.usearch");
        build.Save(_tempFile);
        _index = build;
    }

    public void Search(int setting, ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_query.Length != query.Length)
            _query = new float[query.Length];
        query.CopyTo(_query);
        int found = _index!.Search(_query, k, out _keys, out _dists);
        for (int i = 0; i < k; i++)
            ids[i] = i < found ? (long)_keys[i] : -1;
    }

    // The saved graph file is the honest size of the index (vectors + links).
    public double BytesPerVector => _tempFile is not null && _count > 0 ? (double)new FileInfo(_tempFile).Length / _count : 0;

    public void Dispose()
    {
        _index?.Dispose();
        if (_tempFile is not null)
            File.Delete(_tempFile);
    }
}
