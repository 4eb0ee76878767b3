#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Evaluation;
// Candidate-level z-score fusion as the pipeline would serve it. args[0] = test | inner; args[1] = EASE list length.
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
int N = int.Parse(args[1]);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
var ev = split.Train;
var seqs = new List<(long t, int i)>[U]; for (int u = 0; u < U; u++) seqs[u] = new();
for (int k = 0; k < ev.Count; k++) seqs[ev.UserOrdinals[k]].Add((ev.Timestamps[k], ev.ItemOrdinals[k]));
foreach (var s in seqs) s.Sort((a, b) => a.t != b.t ? b.t.CompareTo(a.t) : a.i.CompareTo(b.i)); // newest first
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var ease = new Ease(300); ease.Fit(train);
var B = ease.Weights.ToArray();
// truncated EASE lists: top-N by weight per row
var eItems = new int[I][]; var eW = new float[I][];
for (int i = 0; i < I; i++) { var idx = Enumerable.Range(0, I).Where(j => j != i).OrderByDescending(j => B[i * I + j]).Take(N).ToArray(); eItems[i] = idx; eW[i] = idx.Select(j => B[i * I + j]).ToArray(); }
var seqm = new ItemKnn(100, ItemSimilarityKind.Sequence, -1, 3); seqm.Fit(train);
// per user: three sources, each (ordinals best-first, z-scores) + list fill
var srcs = new (int[] ids, float[] z)[3][];
for (int s = 0; s < 3; s++) srcs[s] = new (int[], float[])[U];
var row = new float[I];
bool[] seen = new bool[I];
int[] K = { 200, 200, 100 };
for (int u = 0; u < U; u++)
{
  var hist = train.Matrix.Columns(u);
  Array.Clear(seen); foreach (var h in hist) seen[h] = true;
  for (int s = 0; s < 3; s++)
  {
    Array.Clear(row);
    if (s == 0) als.Score(u, row);
    else if (s == 1) { foreach (var h in hist) { var it = eItems[h]; var w = eW[h]; for (int q = 0; q < it.Length; q++) row[it[q]] += w[q]; } }
    else { float dec = MathF.Pow(0.5f, 0.1f), wt = 1f / dec; foreach (var (t, h) in seqs[u].Take(100)) { wt *= dec; var (it, w) = seqm.NeighborsOf(h); for (int q = 0; q < it.Length; q++) row[it.Span[q]] += wt * w.Span[q]; } }
    double m = row.Average(v => (double)v); double sd = Math.Sqrt(row.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1;
    var top = Enumerable.Range(0, I).Where(j => !seen[j] && (s == 0 || row[j] != 0)).OrderByDescending(j => row[j]).ThenBy(j => j).Take(K[s]).ToArray();
    srcs[s][u] = (top, top.Select(j => (float)((row[j] - m) / sd)).ToArray());
  }
}
var fused = new Dictionary<int, float>();
foreach (var fill in new[] { "min", "zero" })
foreach (var we in new[] { 0f, 0.15f, 0.25f, 0.4f })
foreach (var ws in new[] { 0f, 0.15f, 0.25f, 0.4f })
{
  double sum = 0; int n = 0; var used = new bool[I];
  for (int u = 0; u < U; u++)
  {
    var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    fused.Clear();
    float[] w = { 1f, we, ws };
    for (int s = 0; s < 3; s++) foreach (var j in srcs[s][u].ids) fused[j] = 0;
    foreach (var j in fused.Keys.ToArray())
    {
      float tot = 0;
      for (int s = 0; s < 3; s++)
      {
        if (w[s] == 0) continue;
        var (ids, z) = srcs[s][u]; int p = Array.IndexOf(ids, j);
        tot += w[s] * (p >= 0 ? z[p] : fill == "min" ? (z.Length > 0 ? z[^1] : 0) : 0);
      }
      fused[j] = tot;
    }
    var top = fused.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(10).Select(kv => kv.Key).ToArray();
    foreach (var i in top) used[i] = true; sum += RankingMetrics.Ndcg(top, rel, 10);
  }
  Console.WriteLine($"{args[0]} N{N} fill {fill} ease {we} seq {ws}: ndcg {sum / n:F4} coverage {used.Count(b => b) / (double)I:F3}");
}
