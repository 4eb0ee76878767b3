using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>
/// One small vector (a PQ sub-vector, 2-16 floats) against many centroids stored transposed:
/// <code>
///   centroidsT:  dim rows of <c>count</c> floats: row t holds coordinate t of every centroid
///   out[c]    =  sum_t (x[t] - centroidsT[t * count + c])^2        (or -sum_t x[t] * centroidsT[...])
/// </code>
/// The transposed layout vectorises over centroids (16 per Vector512, 8 per Vector256), which is what a 4-float
/// sub-vector needs: the row-major kernels would spend their time on a masked tail per centroid.
/// Lookup tables, PQ encoding and small-dimension k-means all run through here.
/// </summary>
internal static unsafe class PqKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SquaredL2Transposed(float* x, int dim, float* centroidsT, int count, float* output)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + 32 <= count; c += 32)
            {
                var acc0 = Vector512<float>.Zero;
                var acc1 = Vector512<float>.Zero;
                for (int t = 0; t < dim; t++)
                {
                    var xt = Vector512.Create(x[t]);
                    float* row = centroidsT + (long)t * count + c;
                    var d0 = xt - Vector512.Load(row);
                    var d1 = xt - Vector512.Load(row + 16);
                    acc0 = Vector512.MultiplyAddEstimate(d0, d0, acc0);
                    acc1 = Vector512.MultiplyAddEstimate(d1, d1, acc1);
                }
                acc0.Store(output + c);
                acc1.Store(output + c + 16);
            }
        }
        // The narrower paths pick up where the wider one stopped (count need not be a multiple of 32).
        if (Vector256.IsHardwareAccelerated)
        {
            for (; c + 16 <= count; c += 16)
            {
                var acc0 = Vector256<float>.Zero;
                var acc1 = Vector256<float>.Zero;
                for (int t = 0; t < dim; t++)
                {
                    var xt = Vector256.Create(x[t]);
                    float* row = centroidsT + (long)t * count + c;
                    var d0 = xt - Vector256.Load(row);
                    var d1 = xt - Vector256.Load(row + 8);
                    acc0 = Vector256.MultiplyAddEstimate(d0, d0, acc0);
                    acc1 = Vector256.MultiplyAddEstimate(d1, d1, acc1);
                }
                acc0.Store(output + c);
                acc1.Store(output + c + 8);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; c + 4 <= count; c += 4)
            {
                var acc = Vector128<float>.Zero;
                for (int t = 0; t < dim; t++)
                {
                    var d = Vector128.Create(x[t]) - Vector128.Load(centroidsT + (long)t * count + c);
                    acc = Vector128.MultiplyAddEstimate(d, d, acc);
                }
                acc.Store(output + c);
            }
        }
        for (; c < count; c++)
        {
            float acc = 0;
            for (int t = 0; t < dim; t++)
            {
                float d = x[t] - centroidsT[(long)t * count + c];
                acc += d * d;
            }
            output[c] = acc;
        }
    }

    /// <summary>output[c] = -dot(x, centroid c): the inner-product table, "smaller is closer".</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NegatedDotTransposed(float* x, int dim, float* centroidsT, int count, float* output)
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; c + 16 <= count; c += 16)
            {
                var acc = Vector512<float>.Zero;
                for (int t = 0; t < dim; t++)
                    acc = Vector512.MultiplyAddEstimate(Vector512.Create(x[t]), Vector512.Load(centroidsT + (long)t * count + c), acc);
                (-acc).Store(output + c);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; c + 8 <= count; c += 8)
            {
                var acc = Vector256<float>.Zero;
                for (int t = 0; t < dim; t++)
                    acc = Vector256.MultiplyAddEstimate(Vector256.Create(x[t]), Vector256.Load(centroidsT + (long)t * count + c), acc);
                (-acc).Store(output + c);
            }
        }
        for (; c < count; c++)
        {
            float acc = 0;
            for (int t = 0; t < dim; t++)
                acc += x[t] * centroidsT[(long)t * count + c];
            output[c] = -acc;
        }
    }

    /// <summary>Writes row-major centroids (count x dim) transposed (dim x count).</summary>
    public static void Transpose(ReadOnlySpan<float> rowMajor, int count, int dim, Span<float> transposed)
    {
        for (int c = 0; c < count; c++)
        {
            for (int t = 0; t < dim; t++)
                transposed[t * count + c] = rowMajor[c * dim + t];
        }
    }
}
