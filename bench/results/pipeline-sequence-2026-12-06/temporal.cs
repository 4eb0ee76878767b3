#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Evaluation;
// Temporal split (last 10 per user held out; inner = last 10 of the training part): sequence-adjacency neighbours from the
// user's newest R training items, alone and fused with ALS (z-sum and RRF c 60).
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.TemporalLastN(all, 10);
if (args[0] == "inner") split = Splitter.TemporalLastN(split.Train, 10);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
var ev = split.Train;
var seqs = new List<(long t, int i)>[U]; for (int u = 0; u < U; u++) seqs[u] = new();
for (int k = 0; k < ev.Count; k++) seqs[ev.UserOrdinals[k]].Add((ev.Timestamps[k], ev.ItemOrdinals[k]));
foreach (var s in seqs) s.Sort((a, b) => a.t != b.t ? a.t.CompareTo(b.t) : a.i.CompareTo(b.i));
var cnt = new float[I]; for (int k = 0; k < ev.Count; k++) cnt[ev.ItemOrdinals[k]]++;
int L = 3;
var W = new float[I * I];
foreach (var s in seqs) for (int a = 0; a < s.Count; a++) for (int b = Math.Max(0, a - L); b < Math.Min(s.Count, a + L + 1); b++) if (b != a) W[s[a].i * I + s[b].i] += 1f / Math.Abs(a - b);
for (int i = 0; i < I; i++) for (int j = 0; j < I; j++) if (W[i * I + j] > 0) W[i * I + j] /= MathF.Sqrt(cnt[i] * cnt[j]);
var als = new ImplicitAls(new AlsOptions { Factors = 64, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
(double, double) Eval(Func<int, float[], int[]> top) { double sum = 0; int n = 0; var used = new bool[I]; var r = new float[I];
  for (int u = 0; u < U; u++) { var t = top(u, r); foreach (var i in t) used[i] = true; var rel = test.Columns(u); if (rel.Length == 0) continue; n++; sum += RankingMetrics.Ndcg(t, rel, 10); }
  return (Math.Round(sum / n, 4), Math.Round(used.Count(b => b) / (double)I, 3)); }
int[] Top(float[] r, int u, int n) { foreach (var s in train.Matrix.Columns(u)) r[s] = float.NegativeInfinity; return Enumerable.Range(0, I).Where(i => r[i] > float.NegativeInfinity).OrderByDescending(i => r[i]).Take(n).ToArray(); }
void Seq(int u, float[] r, int R) { Array.Clear(r); var s = seqs[u]; for (int a = Math.Max(0, s.Count - R); a < s.Count; a++) { int i = s[a].i; for (int j = 0; j < I; j++) r[j] += W[i * I + j]; } }
Console.WriteLine($"{args[0]} als: {Eval((u, r) => { als.Score(u, r); return Top(r, u, 10); })}");
foreach (var R in new[] { 3, 10, 30, 1000 })
{
  Console.WriteLine($"{args[0]} seq R{R}: {Eval((u, r) => { Seq(u, r, R); return Top(r, u, 10); })}");
  foreach (var w in new[] { 0.25f, 0.5f, 1f, 2f })
    Console.WriteLine($"{args[0]} als + {w} seq R{R} (z): {Eval((u, r) => { als.Score(u, r); Z(r); var q = new float[I]; Seq(u, q, R); Z(q); for (int j = 0; j < I; j++) r[j] += w * q[j]; return Top(r, u, 10); })}");
}
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
