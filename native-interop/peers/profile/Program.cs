// Search-only profile harness (profile.sh): builds one index over DIR/base.fvecs, warms it until the JIT is quiet,
// then searches a counted number of queries between two markers. Under callgrind the markers start and stop the
// instruction count (recsys_peers_callgrind), so instructions / queries is exact; under perf, profile.sh attaches
// when "measuring" is printed.
//
//   HnswProfile DIR hnsw|hnsw-bf16|hnswlib EF QUERIES [SECONDS]
using System.Diagnostics;
using System.Runtime.InteropServices;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Readers;
using RecSys.Engine.Native.Peers;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: HnswProfile DIR hnsw|hnsw-bf16|hnswlib EF QUERIES [SECONDS]");
    return 2;
}
string dir = args[0];
string kind = args[1];
int ef = int.Parse(args[2]);
int measured = int.Parse(args[3]);
double seconds = args.Length > 4 ? double.Parse(args[4]) : 0;
const int K = 10;

var (rows, dim) = Read(Path.Combine(dir, "base.fvecs"));
var (queries, _) = Read(Path.Combine(dir, "query.fvecs"));
int nq = queries.Length / dim;
var truth = new int[nq * 100];
using (var gt = new IvecsReader(Path.Combine(dir, "groundtruth.ivecs")))
{
    for (int q = 0; q < nq; q++)
        gt.TryReadNext(truth.AsSpan(q * gt.Dimension, gt.Dimension));
}

var ids = new long[K];
var distances = new float[K];
var sw = Stopwatch.StartNew();
Action<int> search;
IDisposable index;
if (kind == "hnswlib")
{
    var peer = HnswlibIndex.Build(rows, dim, PeerMetric.Cosine, 16, 200, 2);
    search = q => peer.Search(queries.AsSpan(q * dim, dim), ef, ids, distances);
    index = peer;
}
else
{
    var ours = IndexFactory.Create(kind == "hnsw-bf16" ? "HNSW16,efc200,bf16" : "HNSW16,efc200", dim, DistanceMetric.Cosine);
    var rowIds = new long[rows.Length / dim];
    for (int i = 0; i < rowIds.Length; i++)
        rowIds[i] = i;
    ours.Add(rowIds, rows);
    var parameters = new SearchParameters { Ef = ef, MaxDegreeOfParallelism = 1 };
    search = q => ours.Search(queries.AsSpan(q * dim, dim), K, ids, distances, parameters);
    index = ours;
}
Console.WriteLine($"{kind}: built in {sw.Elapsed.TotalSeconds:F1}s; Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}"
    + (kind == "hnswlib" ? $"; {HnswlibIndex.Describe()}" : ""));

// Warm until a whole pass compiles nothing (tier-1 and PGO settled), at least 3 passes.
for (int pass = 0; ; pass++)
{
    long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
    for (int q = 0; q < nq; q++)
        search(q);
    Thread.Sleep(200);
    if (pass >= 2 && System.Runtime.JitInfo.GetCompiledMethodCount() == compiled)
        break;
}

nint marker = NativeLibrary.GetExport(
    NativeLibrary.Load(Path.Combine(PeerLibraries.SearchDirectory(), PeerLibraries.FileName(PeerLibrary.Hnswlib))), "recsys_peers_callgrind");
Console.WriteLine($"measuring {measured} queries at ef {ef}" + (seconds > 0 ? $", then searching for {seconds} s" : ""));
Console.Out.Flush();
int hits = 0;
Mark(marker, 1);
for (int i = 0; i < measured; i++)
    search(i % nq);
Mark(marker, 0);
for (int i = 0; i < measured; i++)
{
    search(i % nq);
    foreach (long id in ids)
        hits += truth.AsSpan((i % nq) * 100, K).Contains((int)id) ? 1 : 0;
}
long done = 0;
sw.Restart();
while (sw.Elapsed.TotalSeconds < seconds)
{
    search((int)(done++ % nq));
}
Console.WriteLine($"recall@{K} {(double)hits / (measured * K):F4}" + (done > 0 ? $"; {done / sw.Elapsed.TotalSeconds:N0} QPS over {done:N0} queries" : ""));
index.Dispose();
return 0;

static unsafe void Mark(nint marker, int on) => ((delegate* unmanaged<int, void>)marker)(on);

static (float[] Rows, int Dim) Read(string path)
{
    using var reader = VectorReaders.Open(path);
    int dim = reader.Dimension;
    int count = checked((int)reader.Count!.Value);
    var rows = new float[checked(count * dim)];
    for (int i = 0; i < count; i++)
    {
        if (!reader.TryReadNext(rows.AsSpan(i * dim, dim), out _))
            throw new InvalidDataException($"{path}: {i} rows, the header said {count}");
    }
    return (rows, dim);
}
