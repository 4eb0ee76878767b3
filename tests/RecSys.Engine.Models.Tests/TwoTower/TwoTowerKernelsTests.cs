using RecSys.Engine.Core.Randomness;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Models.Tests.TwoTower;

public sealed class TwoTowerKernelsTests
{
    private static float[] Unit(int n, int d, ref SplitMix64 rng)
    {
        var rows = new float[n * d];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)rng.NextGaussian();
        TwoTowerKernels.NormalizeRows(rows, d, new float[n]);
        return rows;
    }

    [Theory]
    [InlineData(2, 3, false)]
    [InlineData(7, 16, true)]
    [InlineData(33, 17, true)]
    public void InBatchSoftmax_MatchesTheFloat64Reference(int batch, int d, bool logQ)
    {
        var rng = new SplitMix64((ulong)(batch * 100 + d));
        float[] users = Unit(batch, d, ref rng), items = Unit(batch, d, ref rng);
        var q = new float[logQ ? batch : 0];
        for (int i = 0; i < q.Length; i++)
            q[i] = -1f - 3f * (float)((rng.Next() >> 11) * (1.0 / (1UL << 53)));
        var ids = new int[batch];
        for (int i = 0; i < batch; i++)
            ids[i] = i % 5 == 4 ? ids[i - 2] : i; // a few accidental hits
        float[] du = new float[batch * d], dv = new float[batch * d], ru = new float[batch * d], rv = new float[batch * d];
        double loss = TwoTowerKernels.InBatchSoftmax(users, items, batch, d, 0.1f, q, ids, new float[batch * batch], du, dv);
        double reference = TwoTowerKernels.InBatchSoftmaxReference(users, items, batch, d, 0.1f, q, ids, ru, rv);
        Assert.Equal(reference, loss, 1e-4);
        for (int i = 0; i < du.Length; i++)
        {
            Assert.Equal(ru[i], du[i], 1e-4f);
            Assert.Equal(rv[i], dv[i], 1e-4f);
        }
    }

    [Fact]
    public void InBatchSoftmax_GradientMatchesFiniteDifferences()
    {
        const int Batch = 6, D = 5;
        var rng = new SplitMix64(3);
        float[] users = Unit(Batch, D, ref rng), items = Unit(Batch, D, ref rng);
        int[] ids = [0, 1, 2, 1, 4, 5];
        float[] q = [-1f, -2f, -0.5f, -2f, -3f, -1.5f];
        float[] du = new float[Batch * D], dv = new float[Batch * D];
        TwoTowerKernels.InBatchSoftmaxReference(users, items, Batch, D, 0.2f, q, ids, du, dv);
        double Loss() => TwoTowerKernels.InBatchSoftmaxReference(users, items, Batch, D, 0.2f, q, ids, new float[Batch * D], new float[Batch * D]);
        const float H = 1e-3f;
        foreach (var (values, gradient) in new[] { (users, du), (items, dv) })
        {
            for (int i = 0; i < values.Length; i += 3)
            {
                float keep = values[i];
                values[i] = keep + H;
                double up = Loss();
                values[i] = keep - H;
                double down = Loss();
                values[i] = keep;
                Assert.Equal((up - down) / (2 * H), gradient[i], 2e-3);
            }
        }
    }

    [Fact]
    public void NormalizeBackward_MatchesTheReference()
    {
        var rng = new SplitMix64(8);
        const int N = 4, D = 19;
        var z = new float[N * D];
        var dy = new float[N * D];
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = (float)(2 * rng.NextGaussian());
            dy[i] = (float)rng.NextGaussian();
        }
        var unit = (float[])z.Clone();
        var norms = new float[N];
        TwoTowerKernels.NormalizeRows(unit, D, norms);
        var dz = (float[])dy.Clone();
        TwoTowerKernels.NormalizeBackward(unit, norms, dz, D);
        var expected = new float[D];
        for (int r = 0; r < N; r++)
        {
            TwoTowerKernels.NormalizeBackwardReference(z.AsSpan(r * D, D), dy.AsSpan(r * D, D), expected);
            for (int j = 0; j < D; j++)
                Assert.Equal(expected[j], dz[r * D + j], 1e-5f);
        }
    }

    [Fact]
    public void DenseInputGradient_OfARange_WithAndWithoutTheReluMask()
    {
        var rng = new SplitMix64(4);
        const int In = 9, Out = 4, N = 11;
        var w = new float[Out * In];
        var dz = new float[Out * N];
        var a = new float[In * N];
        foreach (var arr in new[] { w, dz, a })
        {
            for (int i = 0; i < arr.Length; i++)
                arr[i] = (float)rng.NextGaussian();
        }
        var masked = new float[In * N];
        MlpKernels.DenseBackward(w, a, dz, N, new float[Out * In], new float[Out], masked);
        var tail = new float[3 * N];
        MlpKernels.DenseInputGradient(w, dz, N, tail, firstInput: 6);
        for (int i = 6; i < In; i++)
        {
            for (int r = 0; r < N; r++)
            {
                double expected = 0;
                for (int j = 0; j < Out; j++)
                    expected += (double)w[j * In + i] * dz[j * N + r];
                Assert.Equal(expected, tail[(i - 6) * N + r], 1e-5);
                Assert.Equal(a[i * N + r] > 0 ? expected : 0, masked[i * N + r], 1e-5);
            }
        }
    }

    [Fact]
    public void Transpose_RoundTrips()
    {
        float[] m = [1, 2, 3, 4, 5, 6];
        var t = new float[6];
        TwoTowerKernels.Transpose(m, 2, 3, t);
        Assert.Equal([1f, 4, 2, 5, 3, 6], t);
        var back = new float[6];
        TwoTowerKernels.Transpose(t, 3, 2, back);
        Assert.Equal(m, back);
    }
}
