using System.Diagnostics;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Pipeline.Serving;

// The cost of one item-interactors record (CatalogJournal.AppendInteractors: one pair, one write + fsync) on this disk,
// beside an empty fsynced record of the same file (AppendContent of nothing but a forced record is not public: the
// baseline is a numbering record, one new item id). args: records per kind.
int n = int.Parse(args[0]);
string root = Path.Combine(args.Length > 1 ? args[1] : Path.GetTempPath(), "jbench-" + Guid.NewGuid().ToString("N"));
var items = new CatalogIdMap();
for (int i = 0; i < 1000; i++) items.GetOrAdd(1_000_000L + i);
using var journal = CatalogJournal.Open(root, 0, items, new KeyTable(), new KeyTable());
var inter = new List<double>(n);
var numbering = new List<double>(n);
for (int i = 0; i < n; i++)
{
    var sw = Stopwatch.StartNew();
    journal.AppendInteractors([(i % 1000, 5_000_000L + i)]);
    inter.Add(sw.Elapsed.TotalMicroseconds);
    items.GetOrAdd(9_000_000L + i);
    sw.Restart();
    journal.AppendNumbering();
    numbering.Add(sw.Elapsed.TotalMicroseconds);
}
string P(List<double> l) { var s = l.Order().ToArray(); return $"p50 {s[s.Length / 2],7:F0} us  p90 {s[(int)(s.Length * 0.9)],7:F0} us  p99 {s[(int)(s.Length * 0.99)],7:F0} us  (n {s.Length})"; }
Console.WriteLine($"{"interactors record (1 pair)",-32} {P(inter)}");
Console.WriteLine($"{"numbering record (1 item id)",-32} {P(numbering)}");
Directory.Delete(root, true);
