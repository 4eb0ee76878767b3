using System.Diagnostics;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// IVF-PQ: trained and filled once, then searched at every (refine, nprobe) pair. Bytes per vector are the
/// compressed index proper (M code bytes + 8 id bytes); the re-rank vectors are reported in the log.
/// </summary>
internal sealed class IvfPqCandidate : IAnnCandidate
{
    private readonly IvfPqIndexSpec _spec;
    private readonly SpecSource _source;
    private readonly IndexBuildSettings _build;
    private readonly SearchParameters[] _parameters;
    private float[] _distances = [];
    private IvfPqIndex? _index;
    private string _buildParams;

    /// <param name="sweep">One search setting per entry, each naming its NProbe and Refine.</param>
    public IvfPqCandidate(IvfPqIndexSpec spec, SpecSource source, IReadOnlyList<SearchParameters> sweep, AdcKernel kernel)
    {
        // A sweep that re-ranks needs the float vectors: keep them (R0) when the spec does not already.
        _spec = spec.Refine is null && sweep.Any(p => p.Refine > 0) ? spec with { Refine = 0 } : spec;
        _source = source;
        _build = new IndexBuildSettings { AdcKernel = kernel };
        _parameters = [.. sweep];
        Settings = _parameters.Select(p => $"nprobe={p.NProbe},refine={p.Refine}").ToArray();
        _buildParams = $"nlist={spec.NList},m={spec.M}";
    }

    public string Name => "ivfpq";

    public string BuildParams => _buildParams;

    public IReadOnlyList<string> Settings { get; }

    public double TrainSeconds { get; private set; }

    public double AddSeconds { get; private set; }

    public void Build(AnnDataset data, TextWriter log)
    {
        var index = (IvfPqIndex)_source.Create(_spec, data, _build);
        _index = index;
        int needed = index.Options.MinTrainingVectors;
        if (data.BaseCount < needed)
            throw _source.Explain(new IndexSpecException(_spec.ToString(), $"IVF{_spec.NList}", nameof(IvfPqOptions.NList),
                $"{_spec.NList} lists (and 256 PQ centroids) need at least {needed} base vectors; the data has {data.BaseCount}"));
        var sw = Stopwatch.StartNew();
        index.Train(data.Base);
        TrainSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        index.Add(data.RowIds(), data.Base);
        AddSeconds = sw.Elapsed.TotalSeconds;
        _buildParams = $"nlist={_spec.NList},m={_spec.M},rotate={(_spec.Rotate ? 1 : 0)},kernel={index.Kernel},train_s={TrainSeconds:F2},add_s={AddSeconds:F2}";
        log.WriteLine($"[ivfpq] train {TrainSeconds:F2}s, add {AddSeconds:F2}s; codes+ids {(double)index.CodeAndIdBytes / index.Count:F1} B/vector, all (with re-rank vectors and quantizers) {(double)index.MemoryBytes / index.Count:F1} B/vector");
    }

    public void Search(int setting, ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_distances.Length < k)
            _distances = new float[k];
        _index!.Search(query, k, ids, _distances.AsSpan(0, k), _parameters[setting]);
    }

    public double BytesPerVector => _index is { Count: > 0 } ix ? (double)ix.CodeAndIdBytes / ix.Count : 0;

    public void Dispose() => _index?.Dispose();
}
