// In-process A/B of two builds of RecSys.Engine.Core (base = ee627c9, pool = 22ecf69), each loaded into its own
// AssemblyLoadContext, searching the same saved HNSW graph one query at a time on one thread (k = 10), blocks of
// 1,000 queries alternating between builds (which goes first alternates per pair), same queries in a pair.
// Usage: alc-ab BIN_A BIN_B GRAPH_DIR DATA_DIR blocks efs
using System.Diagnostics;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;

string[] bins = [args[0], args[1]];
string graph = args[2], data = args[3];
int blocks = int.Parse(args[4]);
int[] efs = args[5].Split(',').Select(int.Parse).ToArray();
const int K = 10, Block = 1000;

var (queries, dim, nq) = ReadFvecs(Path.Combine(data, "query.fvecs"));
var calls = new SearchCall[2];
var indexes = new object[2];
var pars = new Dictionary<int, object>[2];
for (int v = 0; v < 2; v++)
{
    var alc = new DirAlc(bins[v], "v" + v);
    var core = alc.LoadFromAssemblyPath(Path.Combine(bins[v], "RecSys.Engine.Core.dll"));
    var hnsw = core.GetType("RecSys.Engine.Core.Index.Hnsw.HnswIndex", true)!;
    var optsT = core.GetType("RecSys.Engine.Core.Index.Hnsw.HnswOptions", true)!;
    var spT = core.GetType("RecSys.Engine.Core.Index.SearchParameters", true)!;
    var mappedT = core.GetType("RecSys.Engine.Core.Vectors.Storage.MappedVectorFile", true)!;
    var load = hnsw.GetMethod("Load", [typeof(string), optsT, typeof(Action<>).MakeGenericType(mappedT)])!;
    indexes[v] = load.Invoke(null, [graph, null, null])!;
    var search = hnsw.GetMethod("Search", [typeof(ReadOnlySpan<float>), typeof(int), typeof(Span<long>), typeof(Span<float>), spT])!;
    var dm = new DynamicMethod("call" + v, null, [typeof(object), typeof(object), typeof(float[]), typeof(int), typeof(int), typeof(int), typeof(long[]), typeof(float[])], typeof(DirAlc).Module, true);
    var il = dm.GetILGenerator();
    il.Emit(OpCodes.Ldarg_0); il.Emit(OpCodes.Castclass, hnsw);
    il.Emit(OpCodes.Ldarg_2); il.Emit(OpCodes.Ldarg_3); il.Emit(OpCodes.Ldarg_S, (byte)4);
    il.Emit(OpCodes.Newobj, typeof(ReadOnlySpan<float>).GetConstructor([typeof(float[]), typeof(int), typeof(int)])!);
    il.Emit(OpCodes.Ldarg_S, (byte)5);
    il.Emit(OpCodes.Ldarg_S, (byte)6); il.Emit(OpCodes.Newobj, typeof(Span<long>).GetConstructor([typeof(long[])])!);
    il.Emit(OpCodes.Ldarg_S, (byte)7); il.Emit(OpCodes.Newobj, typeof(Span<float>).GetConstructor([typeof(float[])])!);
    il.Emit(OpCodes.Ldarg_1); il.Emit(OpCodes.Castclass, spT);
    il.Emit(OpCodes.Call, search);
    il.Emit(OpCodes.Ret);
    calls[v] = (SearchCall)dm.CreateDelegate(typeof(SearchCall));
    pars[v] = new();
    foreach (int ef in efs.Append(32))
    {
        var p = Activator.CreateInstance(spT)!;
        spT.GetProperty("Ef")!.SetValue(p, (int?)ef);
        spT.GetProperty("MaxDegreeOfParallelism")!.SetValue(p, 1);
        pars[v][ef] = p;
    }
    Console.WriteLine($"variant {v}: {core.Location} (ALC {alc.Name}), HnswScratch.Rent present: {core.GetType("RecSys.Engine.Core.Index.Hnsw.HnswScratch")!.GetMethod("Rent", BindingFlags.Public | BindingFlags.Static) is not null}");
}
Console.WriteLine($"alc-ab: {graph}, {nq} queries x {dim}, blocks of {Block}, {blocks} per variant per ef; load {File.ReadAllText("/proc/loadavg").Trim()}");
var ids = new long[K];
var dist = new float[K];
var sink = new long[2];
int cursor = 0;
double RunBlock(int v, int ef)
{
    var call = calls[v]; var idx = indexes[v]; var p = pars[v][ef];
    long t0 = Stopwatch.GetTimestamp();
    for (int i = 0; i < Block; i++)
    {
        int q = (cursor + i) % nq;
        call(idx, p, queries, q * dim, dim, K, ids, dist);
        sink[v] += ids[0];
    }
    return Block / Stopwatch.GetElapsedTime(t0).TotalSeconds;
}
var warm = Stopwatch.StartNew();
while (warm.Elapsed.TotalSeconds < 3) { RunBlock(0, 32); RunBlock(1, 32); }
if (sink[0] != sink[1]) Console.WriteLine($"WARNING: results differ ({sink[0]} vs {sink[1]})");
Console.WriteLine($"| ef | A ({Path.GetFileName(bins[0])}) median QPS (min-max) | B ({Path.GetFileName(bins[1])}) median QPS (min-max) | B/A of medians | median B/A of pairs | B faster in pairs |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
foreach (int ef in efs)
{
    var qps = new[] { new List<double>(), new List<double>() };
    for (int b = 0; b < blocks; b++)
    {
        int first = b & 1;
        qps[first].Add(RunBlock(first, ef));
        qps[1 - first].Add(RunBlock(1 - first, ef));
        cursor = (cursor + Block) % nq;
    }
    var ratios = Enumerable.Range(0, blocks).Select(i => qps[1][i] / qps[0][i]).ToList();
    double ma = Median(qps[0]), mb = Median(qps[1]);
    Console.WriteLine($"| {ef} | {ma:N0} ({qps[0].Min():N0}-{qps[0].Max():N0}) | {mb:N0} ({qps[1].Min():N0}-{qps[1].Max():N0}) | {mb / ma:F3} | {Median(ratios):F3} | {ratios.Count(r => r > 1)}/{blocks} |");
}
Console.WriteLine($"results identical: {sink[0] == sink[1]}; load after {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;

static double Median(List<double> xs) { var s = xs.OrderBy(x => x).ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }

static (float[], int, int) ReadFvecs(string path)
{
    var bytes = File.ReadAllBytes(path);
    int dim = BitConverter.ToInt32(bytes, 0);
    int n = bytes.Length / (4 + 4 * dim);
    var rows = new float[n * dim];
    for (int i = 0; i < n; i++)
        Buffer.BlockCopy(bytes, i * (4 + 4 * dim) + 4, rows, i * dim * 4, dim * 4);
    return (rows, dim, n);
}

delegate void SearchCall(object index, object parameters, float[] queries, int offset, int dim, int k, long[] ids, float[] dist);

sealed class DirAlc(string dir, string name) : AssemblyLoadContext(name)
{
    protected override Assembly? Load(AssemblyName an)
    {
        string p = Path.Combine(dir, an.Name + ".dll");
        return File.Exists(p) ? LoadFromAssemblyPath(p) : null;
    }
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var cand in new[] { unmanagedDllName, "lib" + unmanagedDllName + ".so", unmanagedDllName + ".so" })
        {
            foreach (var d in new[] { dir, Path.Combine(dir, "runtimes", "linux-x64", "native") })
            {
                string p = Path.Combine(d, cand);
                if (File.Exists(p)) return LoadUnmanagedDllFromPath(p);
            }
        }
        return IntPtr.Zero;
    }
}
