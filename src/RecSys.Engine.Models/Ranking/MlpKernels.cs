using System.Numerics.Tensors;

namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// The dense-layer kernels of the MLP ranker, on feature-major batches: an activation block is [units x n] (unit u's
/// values for the n rows at [u * n, (u + 1) * n)), so every inner loop is one TensorPrimitives call over n contiguous
/// floats (TensorPrimitives picks the Vector512 / Vector256 / Vector128 / scalar path). A scalar float64 reference
/// sits beside the forward kernel for the tests.
/// <code>
///  Z[j, :] = b[j] + sum_i W[j, i] * A[i, :]        (W: [out x in], row-major, like ONNX Gemm with transB = 1)
/// </code>
/// </summary>
public static class MlpKernels
{
    /// <summary>Z = W A + b (then max(Z, 0) with <paramref name="relu"/>); A is [in x n], Z [out x n].</summary>
    public static void DenseForward(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, int n, Span<float> output, bool relu)
    {
        int outputs = bias.Length, inputs = weights.Length / outputs;
        for (int j = 0; j < outputs; j++)
        {
            Span<float> z = output.Slice(j * n, n);
            z.Fill(bias[j]);
            ReadOnlySpan<float> w = weights.Slice(j * inputs, inputs);
            for (int i = 0; i < inputs; i++)
            {
                float wji = w[i];
                if (wji != 0f)
                    TensorPrimitives.MultiplyAdd(input.Slice(i * n, n), wji, z, z);
            }
            if (relu)
                TensorPrimitives.Max(z, 0f, z);
        }
    }

    /// <summary>The forward kernel in float64, one output at a time: the oracle.</summary>
    public static void DenseForwardReference(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> input, int n, Span<float> output, bool relu)
    {
        int outputs = bias.Length, inputs = weights.Length / outputs;
        for (int j = 0; j < outputs; j++)
        {
            for (int r = 0; r < n; r++)
            {
                double z = bias[j];
                for (int i = 0; i < inputs; i++)
                    z += (double)weights[j * inputs + i] * input[i * n + r];
                output[j * n + r] = relu ? (float)Math.Max(z, 0) : (float)z;
            }
        }
    }

    /// <summary>
    /// Accumulates the gradients of Z = W A + b given dZ ([out x n]): dW += dZ A^T, db += row sums of dZ, and, when
    /// <paramref name="inputGradient"/> is not empty, writes dA = W^T dZ masked by A &gt; 0 (A is a ReLU output).
    /// </summary>
    public static void DenseBackward(ReadOnlySpan<float> weights, ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, int n,
        Span<float> weightGradient, Span<float> biasGradient, Span<float> inputGradient)
    {
        int outputs = biasGradient.Length, inputs = weights.Length / outputs;
        for (int j = 0; j < outputs; j++)
        {
            ReadOnlySpan<float> dz = outputGradient.Slice(j * n, n);
            biasGradient[j] += TensorPrimitives.Sum(dz);
            Span<float> dw = weightGradient.Slice(j * inputs, inputs);
            for (int i = 0; i < inputs; i++)
                dw[i] += TensorPrimitives.Dot(dz, input.Slice(i * n, n));
        }
        if (!inputGradient.IsEmpty)
            DenseInputGradient(weights, outputGradient, n, inputGradient, 0, input);
    }

    /// <summary>
    /// Writes rows [<paramref name="firstInput"/>, firstInput + inputGradient.Length / n) of dA = W^T dZ, masked by
    /// <paramref name="reluInput"/> &gt; 0 when it is given (the input is a ReLU output; its rows from firstInput on). Without the
    /// mask it is the gradient of a linear input: the two-tower model takes its embeddings' gradient from the first layer so.
    /// </summary>
    public static void DenseInputGradient(ReadOnlySpan<float> weights, ReadOnlySpan<float> outputGradient, int n, Span<float> inputGradient,
        int firstInput = 0, ReadOnlySpan<float> reluInput = default)
    {
        int outputs = outputGradient.Length / n, inputs = weights.Length / outputs, rows = inputGradient.Length / n;
        for (int i = 0; i < rows; i++)
        {
            Span<float> da = inputGradient.Slice(i * n, n);
            da.Clear();
            for (int j = 0; j < outputs; j++)
                TensorPrimitives.MultiplyAdd(outputGradient.Slice(j * n, n), weights[j * inputs + firstInput + i], da, da);
            if (reluInput.IsEmpty)
                continue;
            ReadOnlySpan<float> a = reluInput.Slice((firstInput + i) * n, n);
            for (int r = 0; r < n; r++)
            {
                if (a[r] <= 0f)
                    da[r] = 0f;
            }
        }
    }

    /// <summary>
    /// Row-major [n x features] -> feature-major [features x n], each feature standardised: (x - mean) * invStd.
    /// </summary>
    public static void TransposeStandardize(ReadOnlySpan<float> rows, int n, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, Span<float> destination)
    {
        int f = mean.Length;
        for (int r = 0; r < n; r++)
        {
            ReadOnlySpan<float> row = rows.Slice(r * f, f);
            for (int k = 0; k < f; k++)
                destination[k * n + r] = (row[k] - mean[k]) * invStd[k];
        }
    }
}
