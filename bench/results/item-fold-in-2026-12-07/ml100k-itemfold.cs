#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
// Item-side ALS fold-in on MovieLens 100K: a share of the items is held out of ALS training (they are "added after
// training"); each gets a row folded in from the base model's rows of its training users (ImplicitAls.FoldInItem), as
// serving does. args[0] = test | inner (the training part split again, seed 43). Scores over the whole catalog, seen
// items removed, top 10.
string mode = args.Length > 0 ? args[0] : "test";
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (mode == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount, K = 128;
var rng = new SplitMix64(5);
var isNew = new bool[I];
for (int i = 0; i < I; i++) isNew[i] = train.Transposed.RowLength(i) > 0 && rng.NextDouble() < 0.2;
var keep = Enumerable.Range(0, split.Train.Count).Where(e => !isNew[split.Train.ItemOrdinals[e]]).ToArray();
var baseData = new TrainingData(split.Train.Subset(keep));
var opts = new AlsOptions { Factors = K, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 };
var full = new ImplicitAls(opts); full.Fit(train);
var baseAls = new ImplicitAls(opts); baseAls.Fit(baseData);
int newItems = isNew.Count(b => b);
long newTestEvents = 0, testEvents = 0;
for (int u = 0; u < U; u++) foreach (int i in test.Columns(u)) { testEvents++; if (isNew[i]) newTestEvents++; }
Console.WriteLine($"{mode}: {I} items, {newItems} held out of ALS training; test events {testEvents}, on held-out items {newTestEvents} ({100.0 * newTestEvents / testEvents:F1}%)");

// Each held-out item's training users, oldest first (the order they would arrive in).
var usersOf = new List<int>[I];
for (int e = 0; e < split.Train.Count; e++) { int i = split.Train.ItemOrdinals[e]; if (isNew[i]) (usersOf[i] ??= []).Add(e); }
var byTime = new int[I][];
for (int i = 0; i < I; i++) if (isNew[i]) byTime[i] = [.. usersOf[i].OrderBy(e => split.Train.Timestamps[e]).ThenBy(e => e).Select(e => split.Train.UserOrdinals[e])];

Report("retrained with every item (the oracle)", full, full.ItemFactors.ToArray(), null);
Report("held-out items never ranked (no item fold-in)", baseAls, baseAls.ItemFactors.ToArray(), i => false);
foreach (int first in new[] { 1, 2, 3, 5, 10, 20, 1000 })
{
    string name = first == 1000 ? "all" : first.ToString();
    // The reference: a retrain at the moment each held-out item has had its first N users.
    var firstEvents = new HashSet<int>();
    for (int i = 0; i < I; i++)
        if (isNew[i]) foreach (int e in usersOf[i].OrderBy(e => split.Train.Timestamps[e]).ThenBy(e => e).Take(first)) firstEvents.Add(e);
    var retrainData = new TrainingData(split.Train.Subset([.. Enumerable.Range(0, split.Train.Count).Where(e => !isNew[split.Train.ItemOrdinals[e]] || firstEvents.Contains(e))]));
    var retrained = new ImplicitAls(opts); retrained.Fit(retrainData);
    Report($"retrained with the held-out items' first {name} users", retrained, retrained.ItemFactors.ToArray(), null);
    var rows = baseAls.ItemFactors.ToArray();
    var scratch = new FoldInScratch(K);
    for (int i = 0; i < I; i++)
    {
      if (!isNew[i]) continue;
      var users = byTime[i].Take(first).TakeLast(128).ToArray();
      var gathered = new float[users.Length * K];
      for (int n = 0; n < users.Length; n++) baseAls.UserRow(users[n]).CopyTo(gathered.AsSpan(n * K));
      baseAls.FoldInItem(gathered, users.Length, rows.AsSpan(i * K, K), scratch);
    }
    Report($"fold-in from the first {name} users (newest 128)", baseAls, rows, i => true);
    if (first < 20) continue;
    // What serving reaches after each user's next event: the user refolded over all their items, folded rows included.
    var refolded = new float[U * K];
    var userScratch = new FoldInScratch(K);
    for (int u = 0; u < U; u++)
    {
        var items = train.Matrix.Columns(u);
        var gathered = new float[items.Length * K];
        for (int n = 0; n < items.Length; n++) rows.AsSpan(items[n] * K, K).CopyTo(gathered.AsSpan(n * K));
        baseAls.FoldInFromRows(gathered, items.Length, refolded.AsSpan(u * K, K), userScratch);
    }
    var refoldedModel = ImplicitAls.FromFactors(opts, refolded, rows, U, I);
    Report($"  and every user refolded over their items (as after their next event)", refoldedModel, rows, i => true);
}

void Report(string what, ImplicitAls users, float[] itemRows, Func<int, bool>? ranked)
{
  double ndcg = 0; int n = 0; long hits = 0, newHits = 0, newHits100 = 0; var used = new bool[I]; var row = new float[I];
  for (int u = 0; u < U; u++)
  {
    var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    RecSys.Engine.Core.Vectors.Kernels.DotProduct.ComputeMany(users.UserRow(u), itemRows, K, row);
    for (int i = 0; i < I; i++) if (isNew[i] && ranked is not null && !ranked(i)) row[i] = float.NegativeInfinity;
    foreach (var x in train.Matrix.Columns(u)) row[x] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => row[i]).ThenBy(i => i).Take(100).ToArray();
    for (int r = 0; r < idx.Length; r++) { int i = idx[r]; if (r < 10) used[i] = true; if (rel.Contains(i)) { if (r < 10) hits++; if (isNew[i]) { newHits100++; if (r < 10) newHits++; } } }
    ndcg += RankingMetrics.Ndcg(idx.AsSpan(0, 10), rel, 10);
  }
  Console.WriteLine($"{what,-58} NDCG@10 {ndcg / n:F4}  hits@10 {hits,4} | held-out items: hits@10 {newHits,3}  @100 {newHits100,4} of {newTestEvents} | coverage {used.Count(b => b) / (double)I:F3}");
}
