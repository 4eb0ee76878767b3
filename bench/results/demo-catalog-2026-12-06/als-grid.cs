#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
double skew = double.Parse(args[0]);
int nItems = int.Parse(args[2]), nUsers = int.Parse(args[3]); int every = nUsers >= 10000 ? 10 : 1;
var planted = new PlantedTasteCatalog(nItems, nUsers, 12, 42, 1_700_000_000, null, skew);
var split = Splitter.RandomPerUser(planted.Data.Events, 0.75, 42);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
foreach (var (lambda, alpha) in args[1].Split(";").Select(p => p.Split(",")).Select(p => (float.Parse(p[0]), float.Parse(p[1]))))
{
  var als = new ImplicitAls(new AlsOptions { Factors = 32, Iterations = 8, Lambda = lambda, Alpha = alpha, Seed = 42 }); als.Fit(train);
  Console.WriteLine($"{nItems}x{nUsers} skew {skew} als 32/8 lambda {lambda} alpha {alpha}: {Eval(u => { var r = new float[I]; als.Score(u, r); return r; })}");
}
var pop = new float[I]; foreach (int i in train.Matrix.ColumnIndex) pop[i]++;
Console.WriteLine($"{nItems}x{nUsers} skew {skew} popularity: {Eval(u => (float[])pop.Clone())}");
(double, double) Eval(Func<int, float[]> score) {
  double s = 0; int n = 0; var used = new bool[I];
  for (int u = 0; u < U; u += every) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    var r = score(u); foreach (var x in train.Matrix.Columns(u)) r[x] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => r[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; s += RankingMetrics.Ndcg(idx, rel, 10); }
  return (Math.Round(s / n, 4), Math.Round(used.Count(b => b) / (double)I, 4)); }
