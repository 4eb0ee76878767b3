#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Evaluation;
// Ceiling read on the TEST split: base lists = ALS (+ EASE + seq adjacency, weights read on test), then one tail
// exploration slot in a share p of requests, the least-shown of the next `pool` ranks, only if it has < T impressions.
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
var ev = split.Train;
var seqs = new List<(long t, int i)>[U]; for (int u = 0; u < U; u++) seqs[u] = new();
for (int k = 0; k < ev.Count; k++) seqs[ev.UserOrdinals[k]].Add((ev.Timestamps[k], ev.ItemOrdinals[k]));
foreach (var s in seqs) s.Sort((a, b) => a.t != b.t ? a.t.CompareTo(b.t) : a.i.CompareTo(b.i));
var cnt = new float[I]; for (int k = 0; k < ev.Count; k++) cnt[ev.ItemOrdinals[k]]++;
var W = new float[I * I]; int L = 3;
foreach (var s in seqs) for (int a = 0; a < s.Count; a++) for (int b = Math.Max(0, a - L); b < Math.Min(s.Count, a + L + 1); b++) if (b != a) W[s[a].i * I + s[b].i] += 1f / Math.Abs(a - b);
for (int i = 0; i < I; i++) for (int j = 0; j < I; j++) if (W[i * I + j] > 0) W[i * I + j] /= MathF.Sqrt(cnt[i] * cnt[j]);
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var ease = new Ease(300); ease.Fit(train);
int[][] Lists(float we, float ws) { var lists = new int[U][]; var r = new float[I]; var e = new float[I]; var q = new float[I];
  for (int u = 0; u < U; u++) { als.Score(u, r); Z(r); ease.Score(u, e); Z(e); Array.Clear(q); foreach (var i in train.Matrix.Columns(u)) for (int j = 0; j < I; j++) q[j] += W[i * I + j]; Z(q);
    for (int j = 0; j < I; j++) r[j] += we * e[j] + ws * q[j]; foreach (var s in train.Matrix.Columns(u)) r[s] = float.NegativeInfinity;
    lists[u] = Enumerable.Range(0, I).OrderByDescending(i => r[i]).Take(200).ToArray(); } return lists; }
(double, double) Run(int[][] lists, double p, int pool, int T) {
  var rng = new Random(1); var shown = new int[I]; double sum = 0; int n = 0; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); var top = lists[u].Take(10).ToList();
    if (rng.NextDouble() < p) { int best = int.MaxValue, pick = -1; for (int c = 9; c < 9 + pool; c++) if (shown[lists[u][c]] < best) { best = shown[lists[u][c]]; pick = lists[u][c]; }
      if (best < T) top[9] = pick; }
    foreach (var i in top) { used[i] = true; shown[i]++; }
    if (rel.Length == 0) continue; n++; sum += RankingMetrics.Ndcg(top.ToArray(), rel, 10); }
  return (sum / n, used.Count(b => b) / (double)I); }
foreach (var (we, ws) in new[] { (0f, 0f), (0.25f, 0.25f) })
{ var lists = Lists(we, ws); Console.WriteLine($"base ease {we} seq {ws}: {Run(lists, 0, 1, 0)}");
  foreach (var p in new[] { 0.25, 0.5, 0.75, 1 }) foreach (var pool in new[] { 20, 40, 60, 100 }) foreach (var T in new[] { 1, 2, 5, 1000000 })
  { var (nd, cov) = Run(lists, p, pool, T); Console.WriteLine($"ease {we} seq {ws} p {p} pool {pool} T {T}: ndcg {nd:F4} coverage {cov:F3}"); } }
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
