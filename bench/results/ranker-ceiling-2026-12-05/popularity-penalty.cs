#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Evaluation;
// NDCG@10 and coverage of ALS (+EASE) z-scores with a popularity penalty: ceiling read on the TEST split (exploration only).
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
float[] Scores(Action<int, float[]> f) { var m = new float[U * I]; var row = new float[I]; for (int u = 0; u < U; u++) { f(u, row); Z(row); row.CopyTo(m, u * I); } return m; }
var pop = new float[I]; for (int i = 0; i < I; i++) pop[i] = (float)Math.Log(1 + train.Transposed.Columns(i).Length); Z(pop);
(double, double) Eval(float[] m, float gamma) {
  double sum = 0; int n = 0; var row = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    for (int i = 0; i < I; i++) row[i] = m[u * I + i] - gamma * pop[i];
    foreach (var s in train.Matrix.Columns(u)) row[s] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => row[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; sum += RankingMetrics.Ndcg(idx, rel, 10); }
  return (sum / n, used.Count(b => b) / (double)I); }
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var aM = Scores((u, r) => als.Score(u, r));
var ease = new Ease(300); ease.Fit(train); var eM = Scores((u, r) => ease.Score(u, r));
var bM = new float[aM.Length]; for (int i = 0; i < aM.Length; i++) bM[i] = aM[i] + 0.5f * eM[i];
foreach (var (name, m) in new[] { ("als", aM), ("ease", eM), ("als+0.5ease", bM) })
  foreach (var g in new[] { 0f, 0.1f, 0.2f, 0.3f, 0.5f, 0.8f })
  { var (nd, cov) = Eval(m, g); Console.WriteLine($"{name} gamma {g}: ndcg {nd:F4} coverage {cov:F3}"); }
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
