#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Evaluation;
// ALS + a EASE + b seq-adjacency (z-scores). args[0] = test | inner (inner: the training part split again, seed 43).
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
var ev = split.Train;
var seqs = new List<(long t, int i)>[U]; for (int u = 0; u < U; u++) seqs[u] = new();
for (int k = 0; k < ev.Count; k++) seqs[ev.UserOrdinals[k]].Add((ev.Timestamps[k], ev.ItemOrdinals[k]));
foreach (var s in seqs) s.Sort((a, b) => a.t != b.t ? a.t.CompareTo(b.t) : a.i.CompareTo(b.i));
float[] Scores(Action<int, float[]> f) { var m = new float[U * I]; var row = new float[I]; for (int u = 0; u < U; u++) { f(u, row); Z(row); row.CopyTo(m, u * I); } return m; }
(double, double) Eval(float[] m) {
  double sum = 0; int n = 0; var row = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, row, 0, I); foreach (var s in train.Matrix.Columns(u)) row[s] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => row[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; sum += RankingMetrics.Ndcg(idx, rel, 10); }
  return (sum / n, used.Count(b => b) / (double)I); }
float[] Mix(float[] a, float[] b, float wb, float[] c, float wc) { var r = new float[a.Length]; for (int i = 0; i < a.Length; i++) r[i] = a[i] + wb * b[i] + wc * c[i]; return r; }
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var aM = Scores((u, r) => als.Score(u, r));
var ease = new Ease(300); ease.Fit(train); var eM = Scores((u, r) => ease.Score(u, r));
var cnt = new float[I]; for (int k = 0; k < ev.Count; k++) cnt[ev.ItemOrdinals[k]]++;
foreach (int L in new[] { 1, 3, 10 })
{
  var W = new float[I * I];
  foreach (var s in seqs) for (int a = 0; a < s.Count; a++) for (int b = Math.Max(0, a - L); b < Math.Min(s.Count, a + L + 1); b++) if (b != a) W[s[a].i * I + s[b].i] += 1f / Math.Abs(a - b);
  for (int i = 0; i < I; i++) for (int j = 0; j < I; j++) if (W[i * I + j] > 0) W[i * I + j] /= MathF.Sqrt(cnt[i] * cnt[j]);
  var sM = Scores((u, r) => { Array.Clear(r); foreach (var i in train.Matrix.Columns(u)) for (int j = 0; j < I; j++) r[j] += W[i * I + j]; });
  foreach (var we in new[] { 0f, 0.25f, 0.5f })
  foreach (var ws in new[] { 0f, 0.15f, 0.25f, 0.4f })
    Console.WriteLine($"{args[0]} L{L} ease {we} seq {ws}: {Eval(Mix(aM, eM, we, sM, ws))}");
}
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
