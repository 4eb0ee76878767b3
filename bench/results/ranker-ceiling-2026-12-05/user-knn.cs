#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Evaluation;
// User-kNN alone and blended (z-scores) with ALS and EASE: ceiling read on the TEST split (exploration only).
// Added 2026-12-07. Run: dotnet run -c Release user-knn.cs [seed]
ulong seed = args.Length > 0 ? ulong.Parse(args[0]) : 42;
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, seed);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount; var X = train.Matrix; var XT = train.Transposed;
float[] Scores(Action<int, float[]> f) { var m = new float[U * I]; var row = new float[I]; for (int u = 0; u < U; u++) { f(u, row); Z(row); row.CopyTo(m, u * I); } return m; }
(double, double) Eval(float[] m) {
  double sum = 0; int n = 0; var row = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, row, 0, I); foreach (var s in X.Columns(u)) row[s] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => row[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; sum += RankingMetrics.Ndcg(idx, rel, 10); }
  return (sum / n, used.Count(b => b) / (double)I); }
string E(float[] m) { var (a, c) = Eval(m); return $"{a:F4} cov {c:F3}"; }
float[] Mix(params (float[] m, float w)[] parts) { var c = new float[U * I]; foreach (var (m, w) in parts) for (int i = 0; i < c.Length; i++) c[i] += w * m[i]; return c; }
var als = new ImplicitAls(new AlsOptions { Factors = 64, Alpha = 4, Lambda = 40, Iterations = 10, Seed = seed }); als.Fit(train);
var aM = Scores((u, r) => als.Score(u, r)); Console.WriteLine($"als 64/4/40: {E(aM)}");
var ease = new Ease(300, dropout: 0.5f); ease.Fit(train); var eM = Scores((u, r) => ease.Score(u, r)); Console.WriteLine($"ease 300/0.5: {E(eM)}");
Console.WriteLine($"als+0.5ease: {E(Mix((aM,1),(eM,0.5f)))}");
// user-user overlap counts
var ov = new float[U * U]; var cnt = new float[U]; for (int u = 0; u < U; u++) cnt[u] = X.Columns(u).Length;
for (int i = 0; i < I; i++) { var us = XT.Columns(i); for (int a = 0; a < us.Length; a++) for (int b = 0; b < us.Length; b++) ov[us[a] * U + us[b]] += 1; }
foreach (var (kind, k, p, shrink) in new[] { ("cos", 50, 1.0, 0.0), ("cos", 100, 1.0, 0.0), ("cos", 200, 1.0, 0.0), ("cos", 100, 2.0, 0.0), ("cos", 100, 3.0, 0.0), ("cos", 200, 2.0, 10.0), ("asym", 100, 2.0, 0.0), ("cos", 400, 2.0, 0.0), ("cos", 942, 2.0, 0.0) })
{
  var sim = new float[U];
  var m = Scores((u, r) => {
    Array.Clear(r);
    for (int v = 0; v < U; v++) { double o = ov[u * U + v]; sim[v] = v == u || cnt[v] == 0 ? 0 : (float)(kind == "cos" ? o / (Math.Sqrt(cnt[u] * cnt[v]) + shrink) : o / (Math.Pow(cnt[u], 0.5) * Math.Pow(cnt[v], 0.8) + shrink)); }
    var top = Enumerable.Range(0, U).OrderByDescending(v => sim[v]).Take(k);
    foreach (var v in top) { float w = (float)Math.Pow(sim[v], p); foreach (var i in X.Columns(v)) r[i] += w; }
  });
  Console.WriteLine($"uknn {kind} k{k} p{p} s{shrink}: {E(m)}; +als: 0.25 {E(Mix((aM,1),(m,0.25f)))} 0.5 {E(Mix((aM,1),(m,0.5f)))} 1 {E(Mix((aM,1),(m,1f)))}; als+0.5ease+0.5 {E(Mix((aM,1),(eM,0.5f),(m,0.5f)))}");
}
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
