using System.Numerics.Tensors;
using RecSys.Engine.Core.Vectors.Kernels;

namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// The two-tower model's own hot loops (the dense layers are <see cref="Ranking.MlpKernels"/>'): the L2 normalisation of
/// the tower outputs and its gradient, and the in-batch sampled softmax. Rows are contiguous, so each inner loop is one
/// SIMD call (<see cref="DotProduct"/>, TensorPrimitives: Vector512 / Vector256 / Vector128 / scalar by the CPU). A
/// float64 scalar reference sits beside each for the tests.
/// <code>
///  y = z / max(|z|, eps)                           dz = (dy - y (y . dy)) / max(|z|, eps)
///  s_ab = u_a . v_b / T - log q_b   (-inf where item_b = item_a, b != a: the same item is no negative)
///  loss = mean_a -log softmax(s_a)_a                ds_ab = (softmax(s_a)_b - [a = b]) / B
///  du_a = sum_b ds_ab v_b / T                      dv_b = sum_a ds_ab u_a / T
/// </code>
/// </summary>
public static class TwoTowerKernels
{
    /// <summary>The smallest norm divided by (ONNX export: Max(norm, eps)).</summary>
    public const float NormEpsilon = 1e-12f;

    /// <summary>[rows x columns] row-major -> [columns x rows] (feature-major blocks of the dense kernels, and back).</summary>
    public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> destination)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = source.Slice(r * columns, columns);
            for (int c = 0; c < columns; c++)
                destination[c * rows + r] = row[c];
        }
    }

    /// <summary>Scales each row of <paramref name="rows"/> ([n x dimension]) to unit length; its divisor into <paramref name="norms"/>.</summary>
    public static void NormalizeRows(Span<float> rows, int dimension, Span<float> norms)
    {
        int n = rows.Length / dimension;
        for (int r = 0; r < n; r++)
        {
            Span<float> row = rows.Slice(r * dimension, dimension);
            float norm = MathF.Max(MathF.Sqrt(DotProduct.Compute(row, row)), NormEpsilon);
            TensorPrimitives.Divide(row, norm, row);
            norms[r] = norm;
        }
    }

    /// <summary>
    /// The normalisation's gradient: <paramref name="gradient"/> holds dLoss/dy per row on entry and dLoss/dz on return
    /// (<paramref name="unit"/> = y, <paramref name="norms"/> = the divisors of <see cref="NormalizeRows"/>).
    /// </summary>
    public static void NormalizeBackward(ReadOnlySpan<float> unit, ReadOnlySpan<float> norms, Span<float> gradient, int dimension)
    {
        int n = unit.Length / dimension;
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> y = unit.Slice(r * dimension, dimension);
            Span<float> g = gradient.Slice(r * dimension, dimension);
            float projection = DotProduct.Compute(y, g);
            TensorPrimitives.MultiplyAdd(y, -projection, g, g);
            TensorPrimitives.Divide(g, norms[r], g);
        }
    }

    /// <summary>
    /// The in-batch sampled softmax over <paramref name="batch"/> (user, item) pairs: user a's positive is item a, every
    /// other pair's item a negative. <paramref name="users"/> and <paramref name="items"/> are the unit vectors, row-major
    /// [batch x dimension]; <paramref name="logQ"/> is log q of each pair's item (empty: no correction);
    /// <paramref name="itemIds"/> finds the accidental hits. Writes dLoss/du and dLoss/dv (row-major, overwritten) and
    /// returns the mean loss. <paramref name="logits"/> is scratch of batch x batch.
    /// </summary>
    public static double InBatchSoftmax(ReadOnlySpan<float> users, ReadOnlySpan<float> items, int batch, int dimension, float temperature,
        ReadOnlySpan<float> logQ, ReadOnlySpan<int> itemIds, Span<float> logits, Span<float> userGradient, Span<float> itemGradient)
    {
        float inverseT = 1f / temperature, scale = 1f / batch;
        double loss = 0;
        userGradient[..(batch * dimension)].Clear();
        itemGradient[..(batch * dimension)].Clear();
        for (int a = 0; a < batch; a++)
        {
            Span<float> s = logits.Slice(a * batch, batch);
            DotProduct.ComputeMany(users.Slice(a * dimension, dimension), items[..(batch * dimension)], dimension, s);
            TensorPrimitives.Multiply(s, inverseT, s);
            if (!logQ.IsEmpty)
                TensorPrimitives.Subtract(s, logQ[..batch], s);
            for (int b = 0; b < batch; b++)
            {
                if (b != a && itemIds[b] == itemIds[a])
                    s[b] = float.NegativeInfinity;
            }
            // softmax in place: p = exp(s - max) / sum
            float max = TensorPrimitives.Max(s);
            TensorPrimitives.Subtract(s, max, s);
            TensorPrimitives.Exp(s, s);
            float sum = TensorPrimitives.Sum(s);
            TensorPrimitives.Divide(s, sum, s);
            loss -= Math.Log(Math.Max(s[a], 1e-30f));
            s[a] -= 1f;
            // ds = (p - onehot) / B; the T of the logits folds into the step of the unit vectors.
            TensorPrimitives.Multiply(s, scale * inverseT, s);
            Span<float> du = userGradient.Slice(a * dimension, dimension);
            ReadOnlySpan<float> u = users.Slice(a * dimension, dimension);
            for (int b = 0; b < batch; b++)
            {
                float g = s[b];
                if (g == 0f)
                    continue;
                TensorPrimitives.MultiplyAdd(items.Slice(b * dimension, dimension), g, du, du);
                Span<float> dv = itemGradient.Slice(b * dimension, dimension);
                TensorPrimitives.MultiplyAdd(u, g, dv, dv);
            }
        }
        return loss / batch;
    }

    /// <summary><see cref="InBatchSoftmax"/> in float64, one term at a time: the oracle.</summary>
    public static double InBatchSoftmaxReference(ReadOnlySpan<float> users, ReadOnlySpan<float> items, int batch, int dimension, float temperature,
        ReadOnlySpan<float> logQ, ReadOnlySpan<int> itemIds, Span<float> userGradient, Span<float> itemGradient)
    {
        var du = new double[batch * dimension];
        var dv = new double[batch * dimension];
        var s = new double[batch];
        double loss = 0;
        for (int a = 0; a < batch; a++)
        {
            double max = double.NegativeInfinity;
            for (int b = 0; b < batch; b++)
            {
                double dot = 0;
                for (int j = 0; j < dimension; j++)
                    dot += (double)users[a * dimension + j] * items[b * dimension + j];
                s[b] = b != a && itemIds[b] == itemIds[a] ? double.NegativeInfinity : dot / temperature - (logQ.IsEmpty ? 0 : logQ[b]);
                max = Math.Max(max, s[b]);
            }
            double sum = 0;
            for (int b = 0; b < batch; b++)
                sum += Math.Exp(s[b] - max);
            for (int b = 0; b < batch; b++)
            {
                double p = Math.Exp(s[b] - max) / sum;
                if (b == a)
                    loss -= Math.Log(p);
                double g = (p - (a == b ? 1 : 0)) / batch / temperature;
                for (int j = 0; j < dimension; j++)
                {
                    du[a * dimension + j] += g * items[b * dimension + j];
                    dv[b * dimension + j] += g * users[a * dimension + j];
                }
            }
        }
        for (int i = 0; i < du.Length; i++)
        {
            userGradient[i] = (float)du[i];
            itemGradient[i] = (float)dv[i];
        }
        return loss / batch;
    }

    /// <summary><see cref="NormalizeRows"/> then <see cref="NormalizeBackward"/>'s formula in float64 for one row: the oracle.</summary>
    public static void NormalizeBackwardReference(ReadOnlySpan<float> z, ReadOnlySpan<float> dy, Span<float> dz)
    {
        double norm = 0;
        foreach (float v in z)
            norm += (double)v * v;
        norm = Math.Max(Math.Sqrt(norm), NormEpsilon);
        double projection = 0;
        for (int j = 0; j < z.Length; j++)
            projection += z[j] / norm * dy[j];
        for (int j = 0; j < z.Length; j++)
            dz[j] = (float)((dy[j] - z[j] / norm * projection) / norm);
    }
}
