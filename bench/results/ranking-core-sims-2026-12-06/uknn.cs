#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
// User-kNN (cosine over binary histories) alone and blended with ALS (z-scores over all items). args[0] = test | inner.
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
var R = new float[U * I];
for (int u = 0; u < U; u++) foreach (var i in train.Matrix.Columns(u)) R[u * I + i] = 1;
var norm = new float[U]; for (int u = 0; u < U; u++) norm[u] = MathF.Sqrt(train.Matrix.Columns(u).Length);
var S = new float[U * U];
Parallel.For(0, U, u => { for (int v = 0; v < U; v++) { if (v == u) continue; float d = 0; foreach (var i in train.Matrix.Columns(u)) d += R[v * I + i]; S[u * U + v] = d / (norm[u] * norm[v] + 1e-9f); } });
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var A = new float[U * I]; var row = new float[I];
for (int u = 0; u < U; u++) { als.Score(u, row); Z(row); row.CopyTo(A, u * I); }
foreach (int k in new[] { 50, 100, 200 })
{
  var K = new float[U * I];
  Parallel.For(0, U, u => {
    var nb = Enumerable.Range(0, U).Where(v => v != u).OrderByDescending(v => S[u * U + v]).Take(k).ToArray();
    var r = new float[I];
    foreach (var v in nb) { float s = S[u * U + v]; foreach (var i in train.Matrix.Columns(v)) r[i] += s; }
    Z(r); r.CopyTo(K, u * I); });
  foreach (var w in new[] { 0f, 0.25f, 0.5f, 1f, -1f })
  {
    var M = new float[U * I];
    for (int x = 0; x < M.Length; x++) M[x] = w < 0 ? K[x] : A[x] + w * K[x];
    Console.WriteLine($"{args[0]} k {k} {(w < 0 ? "uknn alone" : $"als + {w} uknn")}: {Eval(M)}");
  }
}
(double, double) Eval(float[] m) {
  double s = 0; int n = 0; var r = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, r, 0, I); foreach (var x in train.Matrix.Columns(u)) r[x] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => r[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; s += RankingMetrics.Ndcg(idx, rel, 10); }
  return (Math.Round(s / n, 4), Math.Round(used.Count(b => b) / (double)I, 3)); }
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
