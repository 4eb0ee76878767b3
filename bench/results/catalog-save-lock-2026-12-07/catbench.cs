using System.Diagnostics;
using RecSys.Engine.Core.Vectors.Storage;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Catalog;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Features.Records;

// Scratch: the catalog-write lock hold of one catalog snapshot save, old (the whole save under the lock) vs new (the capture under it).
int n = int.Parse(args[0]), dim = int.Parse(args[1]), live = int.Parse(args[2]);
string root = Path.Combine(Path.GetTempPath(), "catbench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(root);
var rng = new Random(1);
var items = new CatalogIdMap(n);
for (int i = 0; i < n; i++) items.GetOrAdd(1_000_000L + i);
var categories = KeyTable.FromKeys(Enumerable.Range(0, 50).Select(c => $"c{c}"));
var segments = KeyTable.FromKeys(Enumerable.Range(0, 20).Select(c => $"s{c}"));
var catalog = new LiveCatalog(items, categories, segments, dim);
string trainedPath = Path.Combine(root, "trained.vec");
var row = new float[dim];
using (var w = new VectorFileWriter(trainedPath, dim))
{
    for (int i = 0; i < n - live; i++)
    {
        for (int d = 0; d < dim; d++) row[d] = (float)rng.NextDouble();
        w.Append(row);
        catalog.Content!.Set(i, row);
    }
    w.Complete();
}
for (int i = n - live; i < n; i++)
{
    for (int d = 0; d < dim; d++) row[d] = (float)rng.NextDouble();
    catalog.Content!.Set(i, row);
}
for (int i = 0; i < n; i++) catalog.SetItem(i, new ItemMetadata { Categories = [i % 50] }, isNew: false);
using var trained = MappedVectorFile.Open(trainedPath);
string dir = Path.Combine(root, "serving");
#if NEWAPI
var journal = CatalogJournal.Open(dir, 0, items, categories, segments);
#endif
var locked = new List<double>();
var rot = new List<double>();
var total = new List<double>();
for (int rep = 0; rep < 7; rep++)
{
    // A change per save, as the timer sees on a live server: one new item.
    int o = items.GetOrAdd(9_000_000L + rep);
    catalog.SetItem(o, new ItemMetadata(), isNew: true);
#if NEWAPI
    journal.AppendNumbering(); // the upsert's own append, before the save
#endif
    var sw = Stopwatch.StartNew();
#if NEWAPI
    // What ServingState.CaptureIfChanged does under the lock.
    int[] impressions = catalog.CopyImpressions();
    bool same = impressions.AsSpan().SequenceEqual(new int[impressions.Length]);
    double t0 = sw.Elapsed.TotalMilliseconds;
    long from = journal.Rotate();
    rot.Add(sw.Elapsed.TotalMilliseconds - t0);
    var (ids, names) = items.CopyEntries();
    double t1 = sw.Elapsed.TotalMilliseconds;
    int g2 = GC.CollectionCount(2), g0 = GC.CollectionCount(0);
    var rowsCopy = catalog.Content!.CopyRows();
    Console.WriteLine($"  gc during rows copy: gen0 {GC.CollectionCount(0) - g0} gen2 {GC.CollectionCount(2) - g2}");
    double t2 = sw.Elapsed.TotalMilliseconds;
    Console.WriteLine($"  impressions+compare {t0:F2} rotate {t1 - t0:F2} (ids) rows {t2 - t1:F2}");
    var capture = new CatalogCapture("v1", ids, names, categories.Keys(), segments.Keys(), dim, rowsCopy, impressions, from, journal.Changes);
    double underLock = sw.Elapsed.TotalMilliseconds;
    CatalogSnapshot.Save(dir, capture, trained);
    journal.DeleteBefore(from);
#else
    CatalogSnapshot.Save(dir, catalog, "v1", trained);
    double underLock = sw.Elapsed.TotalMilliseconds;
#endif
    double all = sw.Elapsed.TotalMilliseconds;
    if (rep > 0) { locked.Add(underLock); total.Add(all); }
    Console.WriteLine($"rep {rep}: under the lock {underLock:F1} ms, whole save {all:F1} ms");
}
locked.Sort(); total.Sort();
Console.WriteLine($"n={n} dim={dim} live={live}: median under lock {locked[locked.Count / 2]:F1} ms (min {locked[0]:F1}, max {locked[^1]:F1}); median whole save {total[total.Count / 2]:F1} ms");
if (rot.Count > 0) { rot.Sort(); Console.WriteLine($"  of which the journal rotation (new file: write, fsync, rename, fsync dir): median {rot[rot.Count / 2]:F1} ms"); }
Directory.Delete(root, true);
