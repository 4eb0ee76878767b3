#:project ../../../src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
// Popularity-weighted missing data (eALS, He et al. 2016) on implicit ALS: unobserved (u, i) weigh c_i = f_i^beta / mean,
// observed weigh 1 + alpha. Exact Cholesky solves. args: test|inner, then grids.
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
var split = Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = Splitter.RandomPerUser(split.Train, 0.75, 43);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
var R = train.Matrix; var RT = train.Transposed;
int U = train.UserCount, I = train.ItemCount;
var freq = new double[I]; for (int i = 0; i < I; i++) freq[i] = RT.RowLength(i);
int[] ks = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [64];
double[] betas = args.Length > 2 ? args[2].Split(',').Select(double.Parse).ToArray() : [0, 0.25, 0.5, 0.75];
double[] lambdas = args.Length > 3 ? args[3].Split(',').Select(double.Parse).ToArray() : [40];
double[] alphas = args.Length > 4 ? args[4].Split(',').Select(double.Parse).ToArray() : [4];
double[] c0s = args.Length > 5 ? args[5].Split(',').Select(double.Parse).ToArray() : [1];
foreach (int k in ks) foreach (double beta in betas) foreach (double lambda in lambdas) foreach (double alpha in alphas) foreach (double c0 in c0s)
{
  var c = new double[I]; double mean = 0; for (int i = 0; i < I; i++) { c[i] = Math.Pow(Math.Max(freq[i], 1), beta); mean += c[i]; } mean /= I;
  for (int i = 0; i < I; i++) c[i] = c0 * c[i] / mean;
  var P = new double[U * k]; var Q = new double[I * k];
  var rng = new SplitMix64(42); double scale = 0.1 / Math.Sqrt(k);
  for (int x = 0; x < Q.Length; x++) Q[x] = rng.NextGaussian() * scale;
  for (int sweep = 0; sweep < 10; sweep++)
  {
    // users: (sum_i c_i q q^T + sum_{i in u} (w - c_i) q q^T + lambda I) p = sum_{i in u} w q
    var G = Gram(Q, I, k, i => c[i]);
    Parallel.For(0, U, u => Solve(G, R.Columns(u), Q, k, i => 1 + alpha - c[i], i => 1 + alpha, lambda, P.AsSpan(u * k, k)));
    var H = Gram(P, U, k, _ => 1);
    Parallel.For(0, I, i => { var Hi = new double[k * k]; for (int x = 0; x < Hi.Length; x++) Hi[x] = c[i] * H[x];
      Solve(Hi, RT.Columns(i), P, k, _ => 1 + alpha - c[i], _ => 1 + alpha, lambda, Q.AsSpan(i * k, k)); });
  }
  var S = new float[U * I];
  Parallel.For(0, U, u => { for (int i = 0; i < I; i++) { double s = 0; for (int f = 0; f < k; f++) s += P[u * k + f] * Q[i * k + f]; S[u * I + i] = (float)s; } });
  Console.WriteLine($"{args[0]} k {k} beta {beta} lambda {lambda} alpha {alpha} c0 {c0}: {Eval(S)}");
}
static double[] Gram(double[] F, int n, int k, Func<int, double> w)
{
  var G = new double[k * k];
  var parts = new System.Collections.Concurrent.ConcurrentBag<double[]>();
  Parallel.For(0, 4, t => { var g = new double[k * k]; for (int r = t; r < n; r += 4) { double wr = w(r); for (int a = 0; a < k; a++) { double x = wr * F[r * k + a]; for (int b = 0; b < k; b++) g[a * k + b] += x * F[r * k + b]; } } parts.Add(g); });
  foreach (var g in parts) for (int x = 0; x < G.Length; x++) G[x] += g[x];
  return G;
}
static void Solve(double[] G, ReadOnlySpan<int> cols, double[] F, int k, Func<int, double> extra, Func<int, double> w, double lambda, Span<double> outv)
{
  var A = (double[])G.Clone(); var b = new double[k];
  foreach (int j in cols) { double e = extra(j), wj = w(j); for (int a = 0; a < k; a++) { double x = F[j * k + a]; b[a] += wj * x; double ex = e * x; for (int bb = 0; bb < k; bb++) A[a * k + bb] += ex * F[j * k + bb]; } }
  for (int a = 0; a < k; a++) A[a * k + a] += lambda;
  // Cholesky
  for (int a = 0; a < k; a++) { for (int bb = 0; bb <= a; bb++) { double s = A[a * k + bb]; for (int m = 0; m < bb; m++) s -= A[a * k + m] * A[bb * k + m];
      if (a == bb) A[a * k + a] = Math.Sqrt(Math.Max(s, 1e-12)); else A[a * k + bb] = s / A[bb * k + bb]; } }
  var y = new double[k];
  for (int a = 0; a < k; a++) { double s = b[a]; for (int m = 0; m < a; m++) s -= A[a * k + m] * y[m]; y[a] = s / A[a * k + a]; }
  for (int a = k - 1; a >= 0; a--) { double s = y[a]; for (int m = a + 1; m < k; m++) s -= A[m * k + a] * outv[m]; outv[a] = s / A[a * k + a]; }
}
(double, double) Eval(float[] m) {
  double s = 0; int n = 0; var r = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, r, 0, I); foreach (var x in R.Columns(u)) r[x] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => r[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; s += RankingMetrics.Ndcg(idx, rel, 10); }
  return (Math.Round(s / n, 4), Math.Round(used.Count(b => b) / (double)I, 3)); }
