#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using System.Numerics.Tensors;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
// Mult-DAE (Liang et al. 2018, one hidden tanh layer, multinomial likelihood, input dropout) on ML-100K, and its
// z-score blend with ALS: test split read every few epochs (exploration only, not a result).
int H = args.Length > 0 ? int.Parse(args[0]) : 200; float lr = 1e-3f, l2 = args.Length > 1 ? float.Parse(args[1]) : 0.01f, keep = 0.5f;
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount; var X = train.Matrix;
var rng = new Random(42);
float[] W1 = Init(I * H, MathF.Sqrt(6f / (I + H))), b1 = new float[H], W2 = Init(H * I, MathF.Sqrt(6f / (I + H))), b2 = new float[I];
var opt = new[] { W1, b1, W2, b2 }.Select(p => (m: new float[p.Length], v: new float[p.Length])).ToArray();
var g = new[] { new float[W1.Length], new float[H], new float[W2.Length], new float[I] };
var als = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); als.Fit(train);
var alsZ = new float[U * I]; { var r = new float[I]; for (int u = 0; u < U; u++) { als.Score(u, r); Z(r); r.CopyTo(alsZ, u * I); } }
var h = new float[H]; var pre = new float[H]; var logits = new float[I]; var dl = new float[I]; var dh = new float[H];
int step = 0, batch = 64; var order = Enumerable.Range(0, U).ToArray();
for (int epoch = 1; epoch <= 200; epoch++)
{
  rng.Shuffle(order);
  for (int start = 0; start < U; start += batch)
  {
    foreach (var a in g) Array.Clear(a);
    int end = Math.Min(U, start + batch);
    for (int bi = start; bi < end; bi++)
    {
      int u = order[bi]; var items = X.Columns(u); if (items.Length == 0) continue;
      // dropout on the input, then L2-normalise what is kept
      var kept = new List<int>(); foreach (var i in items) if (rng.NextSingle() < keep) kept.Add(i);
      if (kept.Count == 0) continue; float norm = 1f / MathF.Sqrt(kept.Count);
      b1.CopyTo(pre, 0); foreach (var i in kept) TensorPrimitives.MultiplyAdd(W1.AsSpan(i * H, H), norm, pre, pre);
      TensorPrimitives.Tanh(pre, h);
      b2.CopyTo(logits, 0); for (int k = 0; k < H; k++) TensorPrimitives.MultiplyAdd(W2.AsSpan(k * I, I), h[k], logits, logits);
      TensorPrimitives.SoftMax(logits, dl); // dl = softmax
      TensorPrimitives.Multiply(dl, (float)items.Length, dl); foreach (var i in items) dl[i] -= 1f; // d(-sum x log softmax)/dlogits
      TensorPrimitives.Add(g[3], dl, g[3]);
      for (int k = 0; k < H; k++) { TensorPrimitives.MultiplyAdd(dl, h[k], g[2].AsSpan(k * I, I), g[2].AsSpan(k * I, I)); dh[k] = TensorPrimitives.Dot(dl, W2.AsSpan(k * I, I)) * (1 - h[k] * h[k]); }
      TensorPrimitives.Add(g[1], dh, g[1]);
      foreach (var i in kept) TensorPrimitives.MultiplyAdd(dh, norm, g[0].AsSpan(i * H, H), g[0].AsSpan(i * H, H));
    }
    float inv = 1f / (end - start); step++;
    Adam(W1, g[0], opt[0], inv, l2); Adam(b1, g[1], opt[1], inv, 0); Adam(W2, g[2], opt[2], inv, l2); Adam(b2, g[3], opt[3], inv, 0);
  }
  if (epoch % 20 == 0)
  {
    double nd = 0, ndb = 0, ndb2 = 0; int n = 0; var row = new float[I]; var comb = new float[I];
    for (int u = 0; u < U; u++)
    {
      var rel = test.Columns(u); if (rel.Length == 0) continue; n++; var items = X.Columns(u); float norm = 1f / MathF.Sqrt(Math.Max(1, items.Length));
      b1.CopyTo(pre, 0); foreach (var i in items) TensorPrimitives.MultiplyAdd(W1.AsSpan(i * H, H), norm, pre, pre); TensorPrimitives.Tanh(pre, h);
      b2.CopyTo(row, 0); for (int k = 0; k < H; k++) TensorPrimitives.MultiplyAdd(W2.AsSpan(k * I, I), h[k], row, row);
      Z(row); nd += Ndcg(row, items, rel);
      for (int i = 0; i < I; i++) comb[i] = alsZ[u * I + i] + 0.5f * row[i]; ndb += Ndcg(comb, items, rel);
      for (int i = 0; i < I; i++) comb[i] = alsZ[u * I + i] + row[i]; ndb2 += Ndcg(comb, items, rel);
    }
    Console.WriteLine($"H {H} l2 {l2} epoch {epoch}: dae {nd / n:F4}  als+0.5dae {ndb / n:F4}  als+dae {ndb2 / n:F4}");
  }
}
double Ndcg(float[] s, ReadOnlySpan<int> seen, ReadOnlySpan<int> rel) { var r = (float[])s.Clone(); foreach (var i in seen) r[i] = float.NegativeInfinity; var idx = Enumerable.Range(0, r.Length).OrderByDescending(i => r[i]).Take(10).ToArray(); return RankingMetrics.Ndcg(idx, rel, 10); }
void Adam(float[] p, float[] grad, (float[] m, float[] v) s, float scale, float decay)
{
  float b1c = 1 - MathF.Pow(0.9f, step), b2c = 1 - MathF.Pow(0.999f, step);
  for (int i = 0; i < p.Length; i++) { float gi = grad[i] * scale + decay * p[i]; s.m[i] = 0.9f * s.m[i] + 0.1f * gi; s.v[i] = 0.999f * s.v[i] + 0.001f * gi * gi; p[i] -= lr * (s.m[i] / b1c) / (MathF.Sqrt(s.v[i] / b2c) + 1e-8f); }
}
float[] Init(int n, float a) { var w = new float[n]; for (int i = 0; i < n; i++) w[i] = (rng.NextSingle() * 2 - 1) * a; return w; }
static void Z(float[] x) { double m = x.Average(v => (double)v); double sd = Math.Sqrt(x.Average(v => (v - m) * (v - m))); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
