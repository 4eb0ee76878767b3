#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Evaluation;

var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
float[] Scores(Action<int, float[]> f) { var m = new float[U * I]; var row = new float[I]; for (int u = 0; u < U; u++) { f(u, row); Z(row); row.CopyTo(m, u * I); } return m; }
double Ndcg(float[] m) {
  double sum = 0; int n = 0; var row = new float[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, row, 0, I); foreach (var s in train.Matrix.Columns(u)) row[s] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => row[i]).Take(10).ToArray(); sum += RankingMetrics.Ndcg(idx, rel, 10); }
  return sum / n; }
float[] Mix(float[] a, float[] b, float w) { var c = new float[a.Length]; for (int i = 0; i < a.Length; i++) c[i] = a[i] + w * b[i]; return c; }
var alsM = new Dictionary<string, float[]>();
foreach (var (f, it, al, la) in new[] { (128, 10, 4f, 40f), (128, 30, 4f, 40f), (256, 15, 4f, 60f), (64, 15, 4f, 40f), (128, 15, 8f, 80f) })
{
  var als = new ImplicitAls(new AlsOptions { Factors = f, Alpha = al, Lambda = la, Iterations = it, Seed = 42 }); als.Fit(train);
  var m = Scores((u, r) => als.Score(u, r)); alsM[$"{f}/{it}/{al}/{la}"] = m;
  Console.WriteLine($"als {f}/{it}/{al}/{la}: {Ndcg(m):F4}");
}
var ease = new Ease(300); ease.Fit(train); var eM = Scores((u, r) => ease.Score(u, r)); Console.WriteLine($"ease: {Ndcg(eM):F4}");
// RP3beta
var X = train.Matrix; var XT = train.Transposed;
foreach (var (a, b) in new[] { (1.0, 0.5), (0.8, 0.5), (1.0, 0.3), (0.6, 0.4) })
{
  var W = new float[I * I];
  for (int i = 0; i < I; i++) { var us = XT.Columns(i); if (us.Length == 0) continue;
    foreach (var u in us) { var its = X.Columns(u); float pu = 1f / its.Length; foreach (var j in its) W[i * I + j] += pu / us.Length; } }
  var pop = new double[I]; for (int j = 0; j < I; j++) pop[j] = Math.Max(1, XT.Columns(j).Length);
  for (int i = 0; i < I; i++) { W[i * I + i] = 0; for (int j = 0; j < I; j++) { float v = W[i * I + j]; if (v > 0) W[i * I + j] = (float)(Math.Pow(v, a) / Math.Pow(pop[j], b)); } }
  var rM = Scores((u, r) => { Array.Clear(r); foreach (var i in X.Columns(u)) for (int j = 0; j < I; j++) r[j] += W[i * I + j]; });
  Console.WriteLine($"rp3 a{a} b{b}: {Ndcg(rM):F4}; +als128 0.5: {Ndcg(Mix(alsM["128/10/4/40"], rM, 0.5f)):F4} 1: {Ndcg(Mix(alsM["128/10/4/40"], rM, 1f)):F4}");
}
foreach (var w in new[] { 0.25f, 0.5f, 0.75f, 1f }) Console.WriteLine($"als128+{w} ease: {Ndcg(Mix(alsM["128/10/4/40"], eM, w)):F4}");
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
