#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
// ALS seed bagging: mean of n models' scores (= one inner product over concatenated factors). args[0] = test | inner.
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
foreach (int f in new[] { 64, 128 })
{
  var sum = new float[U * I]; var row = new float[I];
  for (int b = 0; b < 5; b++)
  {
    var als = new ImplicitAls(new AlsOptions { Factors = f, Alpha = 4, Lambda = 40, Iterations = 10, Seed = (ulong)(42 + b) }); als.Fit(train);
    for (int u = 0; u < U; u++) { als.Score(u, row); for (int i = 0; i < I; i++) sum[u * I + i] += row[i]; }
    if (b == 0 || b == 2 || b == 4) Console.WriteLine($"{args[0]} factors {f} bag {b + 1}: {Eval(sum)}");
  }
}
(double, double) Eval(float[] m) {
  double s = 0; int n = 0; var row = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, row, 0, I); foreach (var x in train.Matrix.Columns(u)) row[x] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => row[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; s += RankingMetrics.Ndcg(idx, rel, 10); }
  return (Math.Round(s / n, 4), Math.Round(used.Count(b => b) / (double)I, 3)); }
