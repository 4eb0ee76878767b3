#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
// ALS with rating-valued confidence (1 + alpha * r) against binary: test split read (exploration only).
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
var test = InteractionMatrix.FromSet(split.Test, true);
foreach (bool binary in new[] { true, false })
{
  var train = new TrainingData(split.Train, binary);
  int U = train.UserCount, I = train.ItemCount;
  foreach (var (al, la, f) in new[] { (4f, 40f, 128), (1f, 40f, 128), (2f, 40f, 128), (0.5f, 20f, 128), (1f, 80f, 64) })
  {
    var als = new ImplicitAls(new AlsOptions { Factors = f, Alpha = al, Lambda = la, Iterations = 10, Seed = 42, BinaryConfidence = binary });
    als.Fit(train);
    double sum = 0; int n = 0; var row = new float[I];
    for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
      als.Score(u, row); foreach (var s in train.Matrix.Columns(u)) row[s] = float.NegativeInfinity;
      var idx = Enumerable.Range(0, I).OrderByDescending(i => row[i]).Take(10).ToArray(); sum += RankingMetrics.Ndcg(idx, rel, 10); }
    Console.WriteLine($"binary data {binary}, confidence {(binary ? "binary" : "1+alpha*r")}, alpha {al} lambda {la} factors {f}: ndcg {sum / n:F4}");
  }
}
