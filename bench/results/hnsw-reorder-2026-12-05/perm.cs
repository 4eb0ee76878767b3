// Proxy for issue 16's locality lever: write the 100k x 384 set sorted by its generating cluster (SYNTHETIC.md),
// ground truth remapped, so `bench ann` can compare the same data in two memory orders.
using System.Buffers.Binary;
string src = args[0], dst = args[1]; int n = int.Parse(args[2]), d = int.Parse(args[3]);
ulong state = 42UL * 1000 + 2;
ulong Next() { state += 0x9E3779B97F4A7C15; ulong z = state; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31); }
var cluster = new int[n];
for (int i = 0; i < n; i++) { cluster[i] = (int)(Next() >> 56); for (int j = 0; j < 2 * d; j++) Next(); }
var order = Enumerable.Range(0, n).OrderBy(i => cluster[i]).ThenBy(i => i).ToArray(); // new pos -> old id
var newPos = new int[n]; for (int p = 0; p < n; p++) newPos[order[p]] = p;
Directory.CreateDirectory(dst);
int row = 4 + 4 * d;
var bas = File.ReadAllBytes(Path.Combine(src, "base.fvecs"));
if (bas.Length != (long)n * row) throw new Exception("size");
var outb = new byte[bas.Length];
for (int p = 0; p < n; p++) Buffer.BlockCopy(bas, order[p] * row, outb, p * row, row);
File.WriteAllBytes(Path.Combine(dst, "base.fvecs"), outb);
File.Copy(Path.Combine(src, "query.fvecs"), Path.Combine(dst, "query.fvecs"), true);
File.Copy(Path.Combine(src, "meta.json"), Path.Combine(dst, "meta.json"), true);
var gt = File.ReadAllBytes(Path.Combine(src, "groundtruth.ivecs"));
int k = BinaryPrimitives.ReadInt32LittleEndian(gt);
for (int q = 0; q < gt.Length / (4 + 4 * k); q++)
    for (int j = 0; j < k; j++) { int off = q * (4 + 4 * k) + 4 + 4 * j; BinaryPrimitives.WriteInt32LittleEndian(gt.AsSpan(off), newPos[BinaryPrimitives.ReadInt32LittleEndian(gt.AsSpan(off))]); }
File.WriteAllBytes(Path.Combine(dst, "groundtruth.ivecs"), gt);
Console.WriteLine($"clusters used {cluster.Distinct().Count()}, first rows {string.Join(",", order.Take(5))}");
