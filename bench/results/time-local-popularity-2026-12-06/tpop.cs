#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
// Time-local popularity: each user's request at their last training event; item counters decayed to that time.
// args[0] = test | inner.
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
var set = split.Train;
var Tu = new long[U]; Array.Fill(Tu, long.MinValue);
for (int e = 0; e < set.Count; e++) Tu[set.UserOrdinals[e]] = Math.Max(Tu[set.UserOrdinals[e]], set.Timestamps[e]);
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var A = new float[U * I]; var row = new float[I];
for (int u = 0; u < U; u++) { als.Score(u, row); Z(row); row.CopyTo(A, u * I); }
Console.WriteLine($"{args[0]} als: {Eval(A)}");
foreach (double days in new[] { 3.0, 14, 60 })
foreach (bool twoSided in new[] { false, true })
{
  double h = days * 86400;
  var P = new float[U * I];
  Parallel.For(0, U, u => {
    var r = new float[I];
    for (int e = 0; e < set.Count; e++) { long dt = Tu[u] - set.Timestamps[e]; if (dt < 0 && !twoSided) continue; r[set.ItemOrdinals[e]] += (float)Math.Pow(2, -Math.Abs(dt) / h); }
    for (int i = 0; i < I; i++) r[i] = MathF.Log(1 + r[i]);
    Z(r); r.CopyTo(P, u * I); });
  foreach (var w in new[] { 0.25f, 0.5f, 1f, -1f })
  {
    var M = new float[U * I];
    for (int x = 0; x < M.Length; x++) M[x] = w < 0 ? P[x] : A[x] + w * P[x];
    Console.WriteLine($"{args[0]} h {days}d {(twoSided ? "two" : "one")}-sided {(w < 0 ? "tpop alone" : $"als + {w} tpop")}: {Eval(M)}");
  }
}
(double, double) Eval(float[] m) {
  double s = 0; int n = 0; var r = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, r, 0, I); foreach (var x in train.Matrix.Columns(u)) r[x] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => r[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; s += RankingMetrics.Ndcg(idx, rel, 10); }
  return (Math.Round(s / n, 4), Math.Round(used.Count(b => b) / (double)I, 3)); }
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
