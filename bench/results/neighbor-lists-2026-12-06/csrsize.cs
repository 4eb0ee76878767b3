#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
#:property JsonSerializerIsReflectionEnabledByDefault=true
using System.Diagnostics;
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Persistence;
// (The fixed-width writer is internal, kept for tests: called by reflection.)
// Sequence model files: CSR layout against the fixed-width one it replaced, on a Zipf catalog.
// args: items users eventsPerUser zipfExponent dir
int items = int.Parse(args[0]), users = int.Parse(args[1]), per = int.Parse(args[2]);
double s = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
string dir = args[4];
// Zipf by inverse CDF over a precomputed cumulative table.
var cdf = new double[items];
double acc = 0;
for (int i = 0; i < items; i++) { acc += 1.0 / Math.Pow(i + 1, s); cdf[i] = acc; }
var builder = new InteractionSetBuilder();
for (int i = 0; i < items; i++) builder.Items.GetOrAdd("i" + i);
var rng = new SplitMix64(7);
for (int u = 0; u < users; u++)
{
  builder.Users.GetOrAdd("u" + u);
  var seen = new HashSet<int>();
  for (int e = 0; e < per; e++)
  {
    double x = (rng.Next() >> 11) * (1.0 / (1UL << 53)) * acc;
    int item = Array.BinarySearch(cdf, x); if (item < 0) item = ~item; if (item >= items) item = items - 1;
    if (seen.Add(item)) builder.Add(u, item, 1, e);
  }
}
var data = new TrainingData(builder.Build());
var sw = Stopwatch.StartNew();
var model = new ItemKnn(100, ItemSimilarityKind.Sequence, -1, 3);
model.Fit(data);
Console.WriteLine($"items {items:N0} users {users:N0} events {data.Events.Count:N0}: fit {sw.Elapsed.TotalSeconds:F1} s");
long entries = 0; int longest = 0, withList = 0;
for (int i = 0; i < items; i++) { int n = model.NeighborsOf(i).Items.Length; entries += n; longest = Math.Max(longest, n); if (n > 0) withList++; }
Console.WriteLine($"entries {entries:N0}, longest list {longest}, items with a list {withList:N0} ({100.0 * withList / items:F1}%), mean list {entries / (double)items:F1}");
long Size(string d) => Directory.GetFiles(d).Sum(f => new FileInfo(f).Length);
foreach (var (name, save) in new (string, Action<string>)[] { ("csr", d => ModelStore.SaveItemKnn(model, data.Events.Items, d)), ("fixed-width", d => typeof(ModelStore).GetMethod("SaveItemKnnFixedWidth", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.Invoke(null, [model, data.Events.Items, d])) })
{
  string d = Path.Combine(dir, name);
  if (Directory.Exists(d)) Directory.Delete(d, true);
  sw.Restart(); save(d); double write = sw.Elapsed.TotalSeconds;
  long neighbours = Directory.GetFiles(d, "neighbors.*").Sum(f => new FileInfo(f).Length);
  sw.Restart(); var (loaded, _) = ModelStore.LoadItemKnn(d); double read = sw.Elapsed.TotalSeconds;
  for (int i = 0; i < items; i += 997) if (!loaded.NeighborsOf(i).Items.Span.SequenceEqual(model.NeighborsOf(i).Items.Span)) throw new Exception("round trip differs");
  Console.WriteLine($"{name}: neighbour files {neighbours / 1e6:F1} MB (directory {Size(d) / 1e6:F1} MB), write {write:F1} s, load {read:F1} s");
  Directory.Delete(d, true);
}
