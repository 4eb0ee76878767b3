using System.Diagnostics;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.IvfPq;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// IVF-PQ: trained and filled once, then searched at every (refine, nprobe) pair. Bytes per vector are the
/// compressed index proper (M code bytes + 8 id bytes); the re-rank vectors are reported in the log.
/// </summary>
internal sealed class IvfPqCandidate : IAnnCandidate
{
    private readonly IvfPqOptions _options;
    private readonly (int NProbe, int Refine)[] _sweep;
    private readonly SearchParameters[] _parameters;
    private float[] _distances = [];
    private IvfPqIndex? _index;
    private string _buildParams;

    public IvfPqCandidate(int nlist, int m, IReadOnlyList<int> nprobes, IReadOnlyList<int> refines, bool rotate, AdcKernel kernel)
    {
        _options = new IvfPqOptions { NList = nlist, M = m, Rotate = rotate, StoreVectors = refines.Any(r => r > 0), Kernel = kernel };
        _sweep = refines.SelectMany(r => nprobes.Select(p => (p, r))).ToArray();
        _parameters = _sweep.Select(s => new SearchParameters { NProbe = s.NProbe, Refine = s.Refine, MaxDegreeOfParallelism = 1 }).ToArray();
        Settings = _sweep.Select(s => $"nprobe={s.NProbe},refine={s.Refine}").ToArray();
        _buildParams = $"nlist={nlist},m={m}";
    }

    public string Name => "ivfpq";

    public string BuildParams => _buildParams;

    public IReadOnlyList<string> Settings { get; }

    public double TrainSeconds { get; private set; }

    public double AddSeconds { get; private set; }

    public void Build(AnnDataset data, TextWriter log)
    {
        if (data.Dimension % _options.M != 0)
            throw new CliInputException($"--m: {_options.M} does not divide the dimension {data.Dimension} (PQ sub-spaces must have equal width)");
        if (data.BaseCount < Math.Max(_options.NList, 256))
            throw new CliInputException($"--nlist: {_options.NList} lists (and 256 PQ centroids) need at least {Math.Max(_options.NList, 256)} base vectors; the data has {data.BaseCount}");
        var index = new IvfPqIndex(data.Dimension, data.Metric, _options);
        var sw = Stopwatch.StartNew();
        index.Train(data.Base);
        TrainSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var ids = new long[data.BaseCount];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = i;
        index.Add(ids, data.Base);
        AddSeconds = sw.Elapsed.TotalSeconds;
        _index = index;
        _buildParams = $"nlist={_options.NList},m={_options.M},rotate={(_options.Rotate ? 1 : 0)},kernel={index.Kernel},train_s={TrainSeconds:F2},add_s={AddSeconds:F2}";
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
