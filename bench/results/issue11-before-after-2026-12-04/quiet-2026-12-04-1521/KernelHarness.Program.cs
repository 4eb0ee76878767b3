using System.Diagnostics;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Kernels;
int dim = int.Parse(args[0]); int rows = int.Parse(args[1]); int reps = int.Parse(args[2]);
var rnd = new Random(1);
float[] q = new float[dim]; float[] data = new float[dim * rows]; float[] res = new float[rows];
for (int i = 0; i < q.Length; i++) q[i] = (float)rnd.NextDouble();
for (int i = 0; i < data.Length; i++) data[i] = (float)rnd.NextDouble();
double best1 = double.MaxValue, best2 = double.MaxValue; float sink = 0;
for (int rep = 0; rep < reps; rep++) {
  var sw = Stopwatch.StartNew();
  for (int r = 0; r < rows; r++) sink += DotProduct.Compute(q, data.AsSpan(r * dim, dim));
  sw.Stop(); best1 = Math.Min(best1, sw.Elapsed.TotalNanoseconds / rows);
  sw.Restart();
  DotProduct.ComputeMany(q, data, dim, res);
  sw.Stop(); best2 = Math.Min(best2, sw.Elapsed.TotalNanoseconds / rows);
  sink += res[rows - 1];
}
Console.Write(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "[v512] " : "[v256] ");
Console.WriteLine($"dim {dim} rows {rows}: Compute {best1:F2} ns/row, ComputeMany {best2:F2} ns/row ({sink})");
