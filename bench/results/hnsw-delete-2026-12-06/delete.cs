#:project ../../../src/RecSys.Engine.Core/RecSys.Engine.Core.csproj
// Run with `dotnet run -c Release delete.cs ...`: the "#:property Configuration=Release" directive still builds the
// referenced projects without optimisation (checked 2026-12-06: DebuggableAttribute.IsJITOptimizerDisabled is true).
#:property AllowUnsafeBlocks=true
using System.Diagnostics;
using RecSys.Engine.Core.Index;
using RecSys.Engine.Core.Index.Hnsw;
using RecSys.Engine.Core.Vectors;
// Live deletes from a served HNSW graph: the time of one Remove (one id, as DeleteItemAsync calls it), one searcher
// thread's latency alone and while ids are removed, and recall@10 against an exact scan of the live rows afterwards.
// args: base.fvecs query.fvecs [rows=all] [removes=40] [label] [metric=l2|cosine] [reorder=0|1 (IndexLayout.ForSearch, as served)]
string basePath = args[0], queryPath = args[1];
int limit = args.Length > 2 ? int.Parse(args[2]) : int.MaxValue;
int removes = args.Length > 3 ? int.Parse(args[3]) : 40;
string label = args.Length > 4 ? args[4] : "run";
var metric = args.Length > 5 && args[5] == "cosine" ? DistanceMetric.Cosine : DistanceMetric.L2;
bool reorder = args.Length > 6 && args[6] == "1";
var (dim, rows) = ReadFvecs(basePath, limit);
var (_, queries) = ReadFvecs(queryPath, 2000);
int n = rows.Length / dim, q = queries.Length / dim;
Console.WriteLine($"# {label} {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {n} x {dim}, {q} queries, {metric}, reorder {reorder}, {Environment.ProcessorCount} cpus");
var ids = new long[n];
for (int i = 0; i < n; i++) ids[i] = i;
var sw = Stopwatch.StartNew();
IVectorIndex index = new HnswIndex(dim, metric, new HnswOptions { M = 16, EfConstruction = 100, BuildThreads = 2 });
index.Add(ids, rows);
Console.WriteLine($"build {sw.Elapsed.TotalSeconds:F1} s");
if (reorder)
{
    index = IndexLayout.ForSearch(index);
    Console.WriteLine($"build + reorder {sw.Elapsed.TotalSeconds:F1} s");
}

var search = new SearchParameters { Ef = 64, MaxDegreeOfParallelism = 1 };
double[] Searches(int count, Func<bool>? go = null)
{
    var lat = new List<double>();
    var outIds = new long[10];
    var outD = new float[10];
    for (int i = 0; go is null ? i < count : go(); i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        index.Search(queries.AsSpan((i % q) * dim, dim), 10, outIds, outD, search);
        lat.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
    }
    return [.. lat];
}
Searches(2000); // warm
var alone = Searches(4000);
Console.WriteLine($"search alone: {Stats(alone)}");

// Ids removed one at a time, 20 ms apart, while one thread searches.
var rng = new Random(7);
var victims = new HashSet<long>();
while (victims.Count < removes) victims.Add(rng.Next(n));
var removeMs = new List<double>();
bool done = false;
var searcher = Task.Run(() => Searches(0, () => !Volatile.Read(ref done)));
Thread.Sleep(200);
foreach (long id in victims)
{
    long t0 = Stopwatch.GetTimestamp();
    if (index.Remove([id]) != 1) throw new InvalidOperationException($"id {id} not removed");
    removeMs.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
    Thread.Sleep(20);
}
Volatile.Write(ref done, true);
var during = searcher.Result;
Console.WriteLine($"remove one id: {Stats([.. removeMs])}");
Console.WriteLine($"remove times in order (ms): {string.Join(" ", removeMs.Select(x => x.ToString("F2")))}");
Console.WriteLine($"search while removing: {Stats(during)}");

// Recall@10 on 200 queries against an exact scan of the live rows.
int rq = Math.Min(200, q);
double hits = 0;
var got = new long[10];
var gd = new float[10];
var heap = new PriorityQueue<long, float>();
for (int i = 0; i < rq; i++)
{
    var query = queries.AsSpan(i * dim, dim);
    heap.Clear();
    for (int r = 0; r < n; r++)
    {
        if (victims.Contains(r)) continue;
        float d = 0, dot = 0, norm = 0;
        var row = rows.AsSpan(r * dim, dim);
        for (int j = 0; j < dim; j++) { float x = row[j] - query[j]; d += x * x; dot += row[j] * query[j]; norm += row[j] * row[j]; }
        if (metric == DistanceMetric.Cosine) d = -dot / MathF.Sqrt(norm);
        if (heap.Count < 10) heap.Enqueue(r, -d);
        else if (heap.TryPeek(out _, out float worst) && -d > worst) heap.EnqueueDequeue(r, -d);
    }
    var exact = new HashSet<long>();
    while (heap.Count > 0) exact.Add(heap.Dequeue());
    index.Search(query, 10, got, gd, search);
    foreach (long g in got) if (exact.Contains(g)) hits++;
    foreach (long g in got) if (victims.Contains(g)) throw new InvalidOperationException($"deleted id {g} returned");
}
Console.WriteLine($"recall@10 after {removes} removes (ef 64, {rq} queries): {hits / (rq * 10.0):F4}");
index.Dispose();

static string Stats(double[] ms)
{
    var s = ms.OrderBy(x => x).ToArray();
    double P(double p) => s[Math.Min(s.Length - 1, (int)Math.Ceiling(p * s.Length) - 1)];
    return $"n {s.Length}, p50 {P(0.5):F3} ms, p99 {P(0.99):F3} ms, max {s[^1]:F3} ms, mean {s.Average():F3} ms";
}

static (int Dim, float[] Rows) ReadFvecs(string path, int limit)
{
    using var f = File.OpenRead(path);
    using var br = new BinaryReader(f);
    int dim = br.ReadInt32();
    long count = Math.Min(limit, f.Length / (4 + 4L * dim));
    var rows = new float[count * dim];
    f.Position = 0;
    for (long i = 0; i < count; i++)
    {
        if (br.ReadInt32() != dim) throw new InvalidDataException($"{path}: row {i} has another dimension");
        for (int j = 0; j < dim; j++) rows[i * dim + j] = br.ReadSingle();
    }
    return (dim, rows);
}
