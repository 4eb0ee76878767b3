using RecSys.Engine.Native.Peers;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// A FAISS index (native-interop/peers) as a peer in the same run, made by FAISS's index factory with our settings:
/// faiss-hnsw = "HNSW{M},Flat" (ef construction and the ef list as `hnsw`), faiss-ivfflat = "IVF{nlist},Flat" (the
/// nprobe list), faiss-ivfpq = "[RR{d},]IVF{nlist},PQ{m}np[,RFlat]" (the rotation as --rotate, the (refine, nprobe)
/// sweep as `ivfpq`; RFlat = IndexRefineFlat, which re-ranks refine candidates exactly; "np" skips the polysemous
/// training the factory otherwise adds, which only serves Hamming-filtered search and took 68 s for PQ8 over 5,000 x 32).
/// Searched one query per call with one OpenMP thread, through pinned spans.
/// </summary>
/// <param name="factory">The factory string for the data's dimension.</param>
/// <param name="minRows">Base rows the training needs (k-means over nlist lists, 256 PQ centroids); 0 for HNSW.</param>
internal sealed class FaissCandidate(string name, string buildParams, Func<int, string> factory, int minRows,
    FaissCandidate.Setting[] settings, int efConstruction, int buildThreads, string library) : IAnnCandidate
{
    /// <summary>One search setting: the values the FAISS search takes, and the row's label.</summary>
    internal readonly record struct Setting(int Ef, int NProbe, int Refine, string Label);

    private float[] _distances = [];
    private FaissIndex? _index;

    public static FaissCandidate Hnsw(int m, int efConstruction, IReadOnlyList<int> efs, int buildThreads, string library) =>
        new("faiss-hnsw", $"M={m},ef_construction={efConstruction}", _ => $"HNSW{m},Flat", 0,
            efs.Select(ef => new Setting(ef, 1, 0, $"ef={ef}")).ToArray(), efConstruction, buildThreads, library);

    public static FaissCandidate IvfFlat(int nlist, IReadOnlyList<int> nprobes, int buildThreads, string library) =>
        new("faiss-ivfflat", $"nlist={nlist}", _ => $"IVF{nlist},Flat", nlist,
            nprobes.Select(p => new Setting(1, p, 0, $"nprobe={p}")).ToArray(), 0, buildThreads, library);

    /// <param name="sweep">(nprobe, refine) pairs, in row order.</param>
    public static FaissCandidate IvfPq(int nlist, int m, bool rotate, IReadOnlyList<(int NProbe, int Refine)> sweep, int buildThreads, string library)
    {
        bool refines = sweep.Any(p => p.Refine > 0);
        return new("faiss-ivfpq", $"nlist={nlist},m={m},rotate={(rotate ? 1 : 0)}",
            dim => dim % m != 0
                ? throw new CliInputException($"--m: the dimension {dim} is not a multiple of m = {m}")
                : $"{(rotate ? $"RR{dim}," : "")}IVF{nlist},PQ{m}np{(refines ? ",RFlat" : "")}",
            Math.Max(nlist, 256),
            sweep.Select(p => new Setting(1, p.NProbe, p.Refine, $"nprobe={p.NProbe},refine={p.Refine}")).ToArray(), 0, buildThreads, library);
    }

    public string Name => name;

    public string BuildParams => buildParams;

    public IReadOnlyList<string> Settings { get; } = settings.Select(s => s.Label).ToArray();

    public string? Library => library;

    public void Build(AnnDataset data, TextWriter log)
    {
        string spec = factory(data.Dimension);
        if (data.BaseCount < minRows)
            throw new CliInputException($"--nlist: {Name} ({spec}) needs at least {minRows} base vectors to train; the data has {data.BaseCount}");
        _index = FaissIndex.Build(spec, data.Base, data.Dimension, PeerMetrics.Of(data.Metric), efConstruction, buildThreads);
        log.WriteLine($"[{Name}] index_factory(\"{spec}\"); {Library}");
    }

    public void Search(int setting, ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_distances.Length != k)
            _distances = new float[k];
        var s = settings[setting];
        _index!.Search(query, s.Ef, s.NProbe, s.Refine, ids, _distances);
    }

    public double BytesPerVector => BytesPerVectorAt(0);

    public double BytesPerVectorAt(int setting) =>
        _index is { Count: > 0 } ix ? (double)ix.MemoryBytes(settings[setting].Refine) / ix.Count : 0;

    public void Dispose() => _index?.Dispose();
}
