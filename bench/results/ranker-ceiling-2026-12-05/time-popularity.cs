#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;

var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 });
als.Fit(train);
int U = train.UserCount, I = train.ItemCount;
var ev = split.Train;
// per-user request time: the user's newest training event
var tu = new long[U];
for (int e = 0; e < ev.Count; e++) tu[ev.UserOrdinals[e]] = Math.Max(tu[ev.UserOrdinals[e]], ev.Timestamps[e]);
// events by item sorted by time
var itemTimes = new List<long>[I];
for (int i = 0; i < I; i++) itemTimes[i] = new();
for (int e = 0; e < ev.Count; e++) itemTimes[ev.ItemOrdinals[e]].Add(ev.Timestamps[e]);
var itemArr = itemTimes.Select(l => { var a = l.ToArray(); Array.Sort(a); return a; }).ToArray();
string mode = args.Length > 0 ? args[0] : "past";
double[] halfDays = [1, 3, 7, 14, 30, 60];
double[] weights = [0, 0.1, 0.2, 0.3, 0.5, 0.8];
var scores = new float[I]; var tp = new float[I];
var res = new Dictionary<(double, double), double>();
foreach (double hd in halfDays)
{
  double hs = hd * 86400;
  var rec = new int[10];
  var sums = new double[weights.Length];
  for (int u = 0; u < U; u++)
  {
    var rel = test.Columns(u); if (rel.Length == 0) continue;
    als.Score(u, scores);
    for (int i = 0; i < I; i++)
    {
      double s = 0; var a = itemArr[i];
      foreach (var t in a) { double dt = (t - tu[u]); if (mode == "past" && dt > 0) continue; s += Math.Pow(0.5, Math.Abs(dt) / hs); }
      tp[i] = (float)Math.Log(1 + s);
    }
    // z-standardise both over all items
    Z(scores); Z(tp);
    var seen = train.Matrix.Columns(u);
    for (int w = 0; w < weights.Length; w++)
    {
      var comb = new float[I];
      for (int i = 0; i < I; i++) comb[i] = scores[i] + (float)weights[w] * tp[i];
      foreach (var s in seen) comb[s] = float.NegativeInfinity;
      var idx = Enumerable.Range(0, I).OrderByDescending(i => comb[i]).Take(10).ToArray();
      sums[w] += RankingMetrics.Ndcg(idx, rel, 10);
    }
  }
  int n = Enumerable.Range(0, U).Count(u => test.Columns(u).Length > 0);
  for (int w = 0; w < weights.Length; w++) Console.WriteLine($"{mode} half {hd}d w {weights[w]}: ndcg {sums[w]/n:F4}");
}
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
