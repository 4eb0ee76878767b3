#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
// Release-window eligibility: an item first rated (in the training data) after the user's last training event is not
// yet available to that user. args[0] = test | inner.
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
var set = split.Train;
var Tu = new long[U]; Array.Fill(Tu, long.MinValue);
var Tmin = new long[U]; Array.Fill(Tmin, long.MaxValue);
var first = new long[I]; Array.Fill(first, long.MaxValue);
var last = new long[I]; Array.Fill(last, long.MinValue);
for (int e = 0; e < set.Count; e++) { int u = set.UserOrdinals[e], i = set.ItemOrdinals[e]; long t = set.Timestamps[e];
  Tu[u] = Math.Max(Tu[u], t); Tmin[u] = Math.Min(Tmin[u], t); first[i] = Math.Min(first[i], t); last[i] = Math.Max(last[i], t); }
// diagnostics: test events whose item is first rated after the user's last training event
var ts = split.Test; int late = 0;
for (int e = 0; e < ts.Count; e++) { int u = ts.UserOrdinals[e], i = ts.ItemOrdinals[e]; if (i < I && first[i] > Tu[u] + 86400) late++; }
Console.WriteLine($"{args[0]} test events with item first seen > user's last + 1d: {late} of {ts.Count}");
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var A = new float[U * I]; var row = new float[I];
for (int u = 0; u < U; u++) { als.Score(u, row); row.CopyTo(A, u * I); }
Console.WriteLine($"{args[0]} als: {Eval(A, long.MaxValue)}");
foreach (long d in new long[] { 0, 1, 3, 7, 14, 30, 60 })
  Console.WriteLine($"{args[0]} als, exclude items first seen > last + {d}d: {Eval(A, d * 86400)}");
(double, double, int) Eval(float[] m, long delta) {
  double s = 0; int n = 0, cut = 0; var r = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, r, 0, I); foreach (var x in train.Matrix.Columns(u)) r[x] = float.NegativeInfinity;
    if (delta != long.MaxValue) for (int i = 0; i < I; i++) if (first[i] > Tu[u] + delta && r[i] != float.NegativeInfinity) r[i] = float.MinValue;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => r[i]).Take(10).ToArray();
    var base0 = new float[I]; 
    foreach (var i in idx) used[i] = true; s += RankingMetrics.Ndcg(idx, rel, 10); }
  return (Math.Round(s / n, 4), Math.Round(used.Count(b => b) / (double)I, 3), cut); }
