#:project /work/main/src/RecSys.Engine.Models/RecSys.Engine.Models.csproj
#:property Configuration=Release
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.LinearAlgebra;
using RecSys.Engine.Models.Neighbors;
// Two model classes not tried before, on the inner split (args[0] = inner) or test (args[0] = test):
//  (1) EDLAE / DLAE (Steck 2020, dropout-emphasised linear autoencoders): Lambda = p/(1-p) diag(G) + lambda I.
//  (2) implicit ALS (Hu-Koren, binary confidence 1 + alpha) with frequency-scaled regularisation
//      lambda_u = lambda (n_u / mean n)^nu (Rendle et al. 2021), exact Cholesky solves, doubles.
var all = MovieLens100KLoader.Load("/work/shared/datasets/ml-100k");
bool temporal = args.Length > 2 && args[2] == "temporal";
ulong innerSeed = args.Length > 3 ? ulong.Parse(args[3]) : 43;
var split = temporal ? Splitter.TemporalLastN(all, 10) : Splitter.RandomPerUser(all, 0.75, 42);
if (args[0] == "inner") split = temporal ? Splitter.TemporalLastN(split.Train, 10) : Splitter.RandomPerUser(split.Train, 0.75, innerSeed);
var train = new TrainingData(split.Train);
var test = InteractionMatrix.FromSet(split.Test, true);
int U = train.UserCount, I = train.ItemCount;
string mode = args.Length > 1 ? args[1] : "all";
var gram0 = CoOccurrence.Gram(train.Matrix, train.Transposed);
if (mode == "edlae")
{
  foreach (var lam in new[] { 100f, 200f, 300f, 500f, 800f })
    foreach (var p in new[] { 0.0, 0.25, 0.5, 0.67 })
      Console.WriteLine($"{args[0]} {(temporal ? "temporal" : "random" + innerSeed)} ease l{lam} dropout {p}: {Eval(Lin(EaseB((double[])gram0.Clone(), p, lam, true)))}");
}
if (mode is "all" or "ease")
{
  foreach (var lam in new[] { 100f, 300f, 500f }) Console.WriteLine($"{args[0]} ease l{lam}: {Eval(Lin(EaseB((double[])gram0.Clone(), 0, lam, true)))}");
  foreach (var p in new[] { 0.1, 0.25, 0.33, 0.5, 0.67 })
    foreach (var lam in new[] { 10f, 50f, 100f, 300f })
    {
      Console.WriteLine($"{args[0]} edlae p{p} l{lam}: {Eval(Lin(EaseB((double[])gram0.Clone(), p, lam, true)))}");
      Console.WriteLine($"{args[0]} dlae  p{p} l{lam}: {Eval(Lin(EaseB((double[])gram0.Clone(), p, lam, false)))}");
    }
}
if (mode == "blend")
{
  var ref1 = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); ref1.Fit(train);
  var A = new float[U * I]; var row1 = new float[I];
  for (int u = 0; u < U; u++) { ref1.Score(u, row1); Z(row1); row1.CopyTo(A, u * I); }
  foreach (var p in new[] { 0.5, 0.67, 0.75, 0.8 })
    foreach (var lam in new[] { 300f, 500f, 800f })
    {
      var E = Lin(EaseB((double[])gram0.Clone(), p, lam, true));
      Console.WriteLine($"{args[0]} edlae p{p} l{lam}: {Eval(E)}");
      for (int u = 0; u < U; u++) Z(E.AsSpan(u * I, I));
      foreach (var w in new[] { 0.25f, 0.5f }) { var M2 = new float[U * I]; for (int x = 0; x < M2.Length; x++) M2[x] = A[x] + w * E[x]; Console.WriteLine($"{args[0]}   als + {w} edlae p{p} l{lam}: {Eval(M2)}"); }
    }
  Console.WriteLine($"{args[0]} als alone: {Eval(A)}");
}
if (mode is "all" or "als")
{
  foreach (var nu in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
    foreach (var lam in new[] { 20.0, 40.0, 80.0 })
      foreach (int f in new[] { 64, 128 })
        Console.WriteLine($"{args[0]} als f{f} a4 l{lam} nu{nu}: {Eval(Als(f, 4, lam, nu, 10, 42))}");
  var ref0 = new ImplicitAls(new AlsOptions { Factors = 128, Alpha = 4, Lambda = 40, Iterations = 10, Seed = 42 }); ref0.Fit(train);
  var M = new float[U * I]; var row = new float[I];
  for (int u = 0; u < U; u++) { ref0.Score(u, row); row.CopyTo(M, u * I); }
  Console.WriteLine($"{args[0]} engine ALS 128/4/40: {Eval(M)}");
}

float[] EaseB(double[] g, double p, float lam, bool zeroDiag)
{
  var lambdaDiag = new double[I];
  for (int i = 0; i < I; i++) { lambdaDiag[i] = p / (1 - p) * g[i * I + i] + lam; g[i * I + i] += lambdaDiag[i]; }
  BlockedSpdInverse.InvertInPlace(g, I);
  var b = new float[I * I];
  Parallel.For(0, I, i => { for (int j = 0; j < I; j++) b[i * I + j] = zeroDiag ? (i == j ? 0f : (float)(-g[i * I + j] / g[j * I + j])) : (float)((i == j ? 1 : 0) - g[i * I + j] * lambdaDiag[j]); });
  return b;
}
float[] Lin(float[] b)
{
  var m = new float[U * I];
  Parallel.For(0, U, u => { var s = m.AsSpan(u * I, I); foreach (var i in train.Matrix.Columns(u)) System.Numerics.Tensors.TensorPrimitives.Add(s, b.AsSpan(i * I, I), s); });
  return m;
}
float[] Als(int f, double alpha, double lam, double nu, int iters, int seed)
{
  var rng = new Random(seed);
  var X = new double[U * f]; var Y = new double[I * f];
  for (int k = 0; k < Y.Length; k++) Y[k] = (rng.NextDouble() - 0.5) * 0.02;
  var Rt = train.Transposed;
  double mu = train.Matrix.NonZeroCount / (double)U, mi = train.Matrix.NonZeroCount / (double)I;
  for (int it = 0; it < iters; it++)
  {
    Solve(train.Matrix, Y, X, U, mu);
    Solve(Rt, X, Y, I, mi);
  }
  var m = new float[U * I];
  Parallel.For(0, U, u => { for (int i = 0; i < I; i++) { double s = 0; for (int k = 0; k < f; k++) s += X[u * f + k] * Y[i * f + k]; m[u * I + i] = (float)s; } });
  return m;

  void Solve(InteractionMatrix r, double[] fixedF, double[] outF, int rows, double meanCount)
  {
    int cols = fixedF.Length / f;
    var gram = new double[f * f];
    for (int c = 0; c < cols; c++) for (int a = 0; a < f; a++) { double ya = fixedF[c * f + a]; if (ya == 0) continue; for (int b = 0; b < f; b++) gram[a * f + b] += ya * fixedF[c * f + b]; }
    Parallel.For(0, rows, row =>
    {
      var cs = r.Columns(row);
      var A = (double[])gram.Clone(); var rhs = new double[f];
      double lr = lam * Math.Pow(Math.Max(cs.Length, 1) / meanCount, nu);
      foreach (var c in cs) for (int a = 0; a < f; a++) { double ya = fixedF[c * f + a]; rhs[a] += (1 + alpha) * ya; for (int b = 0; b < f; b++) A[a * f + b] += alpha * ya * fixedF[c * f + b]; }
      for (int a = 0; a < f; a++) A[a * f + a] += lr;
      DenseCholesky.Factor(A, f); DenseCholesky.Solve(A, f, rhs);
      rhs.CopyTo(outF, row * f);
    });
  }
}
static void Z(Span<float> x) { double m = 0; foreach (var v in x) m += v; m /= x.Length; double sd = 0; foreach (var v in x) sd += (v - m) * (v - m); sd = Math.Sqrt(sd / x.Length); if (sd == 0) sd = 1; for (int i = 0; i < x.Length; i++) x[i] = (float)((x[i] - m) / sd); }
(double, double) Eval(float[] m) {
  double s = 0; int n = 0; var r = new float[I]; var used = new bool[I];
  for (int u = 0; u < U; u++) { var rel = test.Columns(u); if (rel.Length == 0) continue; n++;
    Array.Copy(m, u * I, r, 0, I); foreach (var x in train.Matrix.Columns(u)) r[x] = float.NegativeInfinity;
    var idx = Enumerable.Range(0, I).OrderByDescending(i => r[i]).Take(10).ToArray(); foreach (var i in idx) used[i] = true; s += RankingMetrics.Ndcg(idx, rel, 10); }
  return (Math.Round(s / n, 4), Math.Round(used.Count(b => b) / (double)I, 3)); }
