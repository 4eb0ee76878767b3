using System.Reflection;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using RecSys.Engine.Cli.Commands;
using RecSys.Engine.Core.Vectors;

namespace RecSys.Engine.Cli.Bench;

/// <summary>
/// USearch (C++ HNSW, from NuGet) as the peer in the same run, with the same M / ef construction / ef list.
/// <para>
/// Its .NET binding fixes expansion_search at construction and adds one vector at a time on one thread. We
/// reach past it to the native index (the binding's private <c>_index</c> handle) and call the C API
/// directly: <c>usearch_change_expansion_search</c> sets ef per setting without rebuilding,
/// and <c>usearch_reserve</c> + <c>usearch_change_threads_add</c> + concurrent <c>usearch_add</c> build on
/// all cores, as our index does; <c>usearch_search</c> on the caller's query and on preallocated result
/// buffers searches without the binding's per-query copy and two new arrays, so the timed loop measures
/// USearch and not its binding. Without the handle (another binding version) it falls back to the
/// binding's own single-threaded Add, Search and the first ef only, and says so on stderr.
/// </para>
/// </summary>
internal sealed partial class USearchCandidate : IAnnCandidate
{
    private readonly int _connectivity;
    private readonly int _expansionAdd;
    private readonly int[] _efs;
    private readonly int _buildThreads;
    private USearchIndex? _index;
    private nint _native;
    private int _currentEf = -1;
    private float[] _query = [];
    private ulong[] _keys = [];
    private float[] _dists = [];
    private long _count;
    private string? _tempFile;

    public USearchCandidate(int connectivity, int expansionAdd, IReadOnlyList<int> efs, int buildThreads)
    {
        _connectivity = connectivity;
        _expansionAdd = expansionAdd;
        _efs = efs.ToArray();
        _buildThreads = buildThreads <= 0 ? Environment.ProcessorCount : buildThreads;
        Settings = _efs.Select(ef => $"ef={ef}").ToArray();
    }

    public string Name => "usearch";

    public string BuildParams => $"M={_connectivity},ef_construction={_expansionAdd}";

    public IReadOnlyList<string> Settings { get; private set; }

    public void Build(AnnDataset data, TextWriter log)
    {
        var metric = data.Metric switch
        {
            DistanceMetric.Cosine => MetricKind.Cos,
            DistanceMetric.L2 => MetricKind.L2sq,
            _ => MetricKind.Ip,
        };
        var build = new USearchIndex(metric, ScalarKind.Float32, (ulong)data.Dimension, (ulong)_connectivity, (ulong)_expansionAdd, (ulong)_efs[0], false);
        _index = build;
        _native = typeof(USearchIndex).GetField("_index", BindingFlags.NonPublic | BindingFlags.Instance)?.GetValue(build) is IntPtr p ? p : 0;
        var progress = new StderrProgress(log, "usearch add");
        if (_native != 0)
        {
            Check(Native.Reserve(_native, (nuint)data.BaseCount, out nint e1), e1);
            Check(Native.ChangeThreadsAdd(_native, (nuint)_buildThreads, out nint e2), e2);
            AddParallel(data, progress);
            _currentEf = _efs[0];
        }
        else
        {
            log.WriteLine("[usearch] native handle not found: single-threaded adds, and only the first ef (the binding cannot change it)");
            Settings = [Settings[0]];
            var row = new float[data.Dimension];
            for (int i = 0; i < data.BaseCount; i++)
            {
                data.Base.AsSpan(i * data.Dimension, data.Dimension).CopyTo(row);
                build.Add((ulong)i, row);
                if ((i & 0x3FF) == 0)
                    progress.Report((double)i / data.BaseCount);
            }
        }
        progress.Report(1.0);
        _count = data.BaseCount;
        _tempFile = Path.Combine(Path.GetTempPath(), $"recsys-usearch-{Guid.NewGuid():N}.usearch");
        build.Save(_tempFile);
    }

    private unsafe void AddParallel(AnnDataset data, StderrProgress progress)
    {
        int dim = data.Dimension;
        nint handle = _native;
        int done = 0;
        string? error = null;
        var rows = data.Base;
        Parallel.For(0, data.BaseCount, new ParallelOptions { MaxDegreeOfParallelism = _buildThreads }, (i, state) =>
        {
            nint e;
            fixed (float* row = &rows[(long)i * dim])
                Native.Add(handle, (ulong)i, row, (int)ScalarKind.Float32, out e);
            if (e != 0)
            {
                Interlocked.CompareExchange(ref error, Marshal.PtrToStringUTF8(e) ?? "unknown error", null);
                state.Stop();
            }
            int n = Interlocked.Increment(ref done);
            if ((n & 0x3FF) == 0)
            {
                lock (progress)
                    progress.Report((double)n / data.BaseCount);
            }
        });
        if (error is not null)
            throw new InvalidOperationException($"usearch_add: {error}");
    }

    public void Search(int setting, ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_native == 0)
        {
            SearchThroughBinding(query, k, ids);
            return;
        }
        if (_currentEf != _efs[setting])
        {
            Check(Native.ChangeExpansionSearch(_native, (nuint)_efs[setting], out nint e), e);
            _currentEf = _efs[setting];
        }
        SearchNative(query, k, ids);
    }

    /// <summary>
    /// usearch_search straight on the caller's query and on buffers kept between calls: the binding's Search
    /// wants a float[] (one copy of the query) and returns two new arrays per call, a fixed cost of its own
    /// that our indexes do not pay.
    /// </summary>
    private unsafe void SearchNative(ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_keys.Length < k)
        {
            _keys = new ulong[k];
            _dists = new float[k];
        }
        nuint found;
        nint error;
        fixed (float* q = query)
        fixed (ulong* keys = _keys)
        fixed (float* dists = _dists)
            found = Native.Search(_native, q, (int)ScalarKind.Float32, (nuint)k, keys, dists, out error);
        Check(error == 0, error);
        for (int i = 0; i < k; i++)
            ids[i] = (nuint)i < found ? (long)_keys[i] : -1;
    }

    /// <summary>The binding's own Search (a copy of the query and two new arrays per call): the fallback, and the tests' reference.</summary>
    internal void SearchThroughBinding(ReadOnlySpan<float> query, int k, Span<long> ids)
    {
        if (_query.Length != query.Length)
            _query = new float[query.Length];
        query.CopyTo(_query);
        int found = _index!.Search(_query, k, out ulong[] keys, out _);
        for (int i = 0; i < k; i++)
            ids[i] = i < found ? (long)keys[i] : -1;
    }

    // The saved graph file is the honest size of the index (vectors + links).
    public double BytesPerVector => _tempFile is not null && _count > 0 ? (double)new FileInfo(_tempFile).Length / _count : 0;

    public void Dispose()
    {
        _index?.Dispose();
        if (_tempFile is not null)
            File.Delete(_tempFile);
    }

    private static void Check(bool _, nint error)
    {
        if (error != 0)
            throw new InvalidOperationException($"usearch: {Marshal.PtrToStringUTF8(error)}");
    }

    /// <summary>The parts of USearch's C API (usearch.h) its .NET binding leaves out.</summary>
    private static unsafe partial class Native
    {
        private const string Lib = "usearch_c";

        [LibraryImport(Lib, EntryPoint = "usearch_reserve")]
        private static partial void ReserveCore(nint index, nuint capacity, out nint error);

        [LibraryImport(Lib, EntryPoint = "usearch_change_threads_add")]
        private static partial void ChangeThreadsAddCore(nint index, nuint threads, out nint error);

        [LibraryImport(Lib, EntryPoint = "usearch_change_expansion_search")]
        private static partial void ChangeExpansionSearchCore(nint index, nuint expansion, out nint error);

        [LibraryImport(Lib, EntryPoint = "usearch_add")]
        public static partial void Add(nint index, ulong key, float* vector, int scalarKind, out nint error);

        [LibraryImport(Lib, EntryPoint = "usearch_search")]
        public static partial nuint Search(nint index, float* query, int queryKind, nuint count, ulong* keys, float* distances, out nint error);

        public static bool Reserve(nint index, nuint capacity, out nint error)
        {
            ReserveCore(index, capacity, out error);
            return error == 0;
        }

        public static bool ChangeThreadsAdd(nint index, nuint threads, out nint error)
        {
            ChangeThreadsAddCore(index, threads, out error);
            return error == 0;
        }

        public static bool ChangeExpansionSearch(nint index, nuint expansion, out nint error)
        {
            ChangeExpansionSearchCore(index, expansion, out error);
            return error == 0;
        }
    }
}
