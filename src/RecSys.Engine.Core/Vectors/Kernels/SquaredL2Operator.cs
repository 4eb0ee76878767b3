using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>acc += (a - b)^2 (fused where the CPU has FMA).</summary>
internal readonly struct SquaredL2Operator : IPairwiseOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float acc, float a, float b)
    {
        float d = a - b;
        return acc + d * d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Step(Vector128<float> acc, Vector128<float> a, Vector128<float> b)
    {
        var d = a - b;
        return Vector128.MultiplyAddEstimate(d, d, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> acc, Vector256<float> a, Vector256<float> b)
    {
        var d = a - b;
        return Vector256.MultiplyAddEstimate(d, d, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Step(Vector512<float> acc, Vector512<float> a, Vector512<float> b)
    {
        var d = a - b;
        return Vector512.MultiplyAddEstimate(d, d, acc);
    }
}
