namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// Which rung of the SIMD ladder a kernel runs. <see cref="Auto"/> is the production choice
/// (widest accelerated width); the others exist so tests and benchmarks can pin one path and
/// check it against the scalar reference on any CPU (Vector512 is emulated in software where
/// AVX-512 is missing: slow, but the arithmetic is the same).
/// </summary>
public enum SimdPath
{
    Auto = 0,
    Vector512 = 1,
    Vector256 = 2,
    Vector128 = 3,
    Scalar = 4,
}
