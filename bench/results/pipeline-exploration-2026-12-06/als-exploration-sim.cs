#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Evaluation;
// Exploration slot designs over ALS top lists: NDCG@10 and coverage on the TEST split (a read of the design space, not a
// result: nothing was chosen on it). The last `slots` positions of ALS's top 10 go to items of the next `pool` ranks:
// uniform = a random one; leastshown = the one shown least so far, users served in order (ties to the better rank).
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
var als = new ImplicitAls(new AlsOptions { Factors = 64, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var lists = new int[U][]; var row = new float[I];
for (int u = 0; u < U; u++) { als.Score(u, row); foreach (var s in train.Matrix.Columns(u)) row[s] = float.NegativeInfinity;
  lists[u] = Enumerable.Range(0, I).OrderByDescending(i => row[i]).Take(200).ToArray(); }
// slots: how many of the last positions; pool: the next M ranks; mode: uniform | leastshown (online impressions, users in order)
(double, double) Run(int slots, int pool, string mode, int seed) {
  var rng = new Random(seed); var shown = new int[I]; double sum = 0; int n = 0; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); var top = lists[u].Take(10 - slots).ToList();
    var cand = lists[u].Skip(10 - slots).Take(pool).ToList();
    for (int s = 0; s < slots; s++) { int pick;
      if (mode == "uniform") pick = rng.Next(cand.Count);
      else { int best = int.MaxValue; pick = 0; for (int c = 0; c < cand.Count; c++) if (shown[cand[c]] < best) { best = shown[cand[c]]; pick = c; } }
      top.Add(cand[pick]); cand.RemoveAt(pick); }
    foreach (var i in top) { used[i] = true; shown[i]++; }
    if (rel.Length == 0) continue; n++; sum += RankingMetrics.Ndcg(top.ToArray(), rel, 10); }
  return (sum / n, used.Count(b => b) / (double)I); }
Console.WriteLine($"als top10: {Run(0, 0, "uniform", 1)}");
foreach (var mode in new[] { "uniform", "leastshown" })
foreach (var slots in new[] { 1, 2, 3 })
foreach (var pool in new[] { 5, 10, 20, 40, 100 })
{ var (nd, cov) = Run(slots, pool, mode, 1); Console.WriteLine($"{mode} slots {slots} pool {pool}: ndcg {nd:F4} coverage {cov:F3}"); }
