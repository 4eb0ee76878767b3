using System.Runtime.Intrinsics;

namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// One accumulation step of a pairwise reduction (dot, squared L2), at every vector width.
/// The loop in <see cref="PairwiseKernel"/> is written once, generic over this struct (and over the row's
/// <see cref="IRowLoader{TElement}"/>), so the JIT specialises and inlines each step (the TensorPrimitives
/// operator pattern). Both operands reach a step as float32, whatever the row's element type.
/// A zero in both inputs must contribute nothing: the masked tail relies on it.
/// </summary>
internal interface IPairwiseOperator
{
    static abstract float Step(float acc, float a, float b);
    static abstract Vector128<float> Step(Vector128<float> acc, Vector128<float> a, Vector128<float> b);
    static abstract Vector256<float> Step(Vector256<float> acc, Vector256<float> a, Vector256<float> b);
    static abstract Vector512<float> Step(Vector512<float> acc, Vector512<float> a, Vector512<float> b);
}
