using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>acc += a * b (fused where the CPU has FMA).</summary>
internal readonly struct DotOperator : IPairwiseOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    // Plain multiply-add: MathF.FusedMultiplyAdd is a slow software call where FMA is disabled.
    public static float Step(float acc, float a, float b) => acc + a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Step(Vector128<float> acc, Vector128<float> a, Vector128<float> b) => Vector128.MultiplyAddEstimate(a, b, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> acc, Vector256<float> a, Vector256<float> b) => Vector256.MultiplyAddEstimate(a, b, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Step(Vector512<float> acc, Vector512<float> a, Vector512<float> b) => Vector512.MultiplyAddEstimate(a, b, acc);
}
