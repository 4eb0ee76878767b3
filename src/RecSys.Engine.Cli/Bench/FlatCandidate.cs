using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Index.Flat;

namespace RecSys.Engine.Cli.Bench;

/// <summary>The exact index: recall 1.0 by construction, and the speed floor every ANN index must beat.</summary>
internal sealed class FlatCandidate : IAnnCandidate
{
    private static readonly SearchParameters OneThread = new() { MaxDegreeOfParallelism = 1 };
    private float[] _distances = [];
    private FlatIndex? _index;

    public string Name => "flat";

    public string BuildParams => "";

    public IReadOnlyList<string> Settings { get; } = [""];

    public void Build(AnnDataset data, TextWriter log)
    {
        _index = (FlatIndex)SpecSource.FactoryString.Create(new FlatIndexSpec(), data);
        _index.Add(data.RowIds(), data.Base);
    }

    public void Search(int setting, ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_distances.Length < k)
            _distances = new float[k];
        _index!.Search(query, k, ids, _distances.AsSpan(0, k), OneThread);
    }

    public double BytesPerVector => _index is { Count: > 0 } ix ? (double)ix.MemoryBytes / ix.Count : 0;

    public void Dispose() => _index?.Dispose();
}
