namespace RecSys.Engine.Models.LinearAlgebra;

/// <summary>How <see cref="PackedGemm.Multiply"/> reads its operands and writes its result.</summary>
[Flags]
internal enum GemmOptions
{
    None = 0,

    /// <summary>op(A) = A^T: op(A)[i, p] = a[p * lda + i].</summary>
    TransposeA = 1,

    /// <summary>op(B) = B^T: op(B)[p, j] = b[j * ldb + p].</summary>
    TransposeB = 2,

    /// <summary>C += alpha op(A) op(B) (otherwise C = alpha op(A) op(B)).</summary>
    Accumulate = 4,

    /// <summary>
    /// op(A) is lower triangular with stored zeros above its diagonal (op(A)[i, p] = 0 for p &gt; i): k-blocks
    /// entirely above a row block are skipped, halving the work of a triangular-times-dense product.
    /// </summary>
    LowerTriangularA = 8,

    /// <summary>
    /// Only the lower triangle of C (i &gt;= j) is wanted: micro-tiles entirely above the diagonal are neither
    /// computed nor written (tiles that straddle it are written whole, so a few entries above it change).
    /// </summary>
    LowerC = 16,
}
