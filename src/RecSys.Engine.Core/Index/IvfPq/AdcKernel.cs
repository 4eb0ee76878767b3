namespace RecSys.Engine.Core.Index.IvfPq;

/// <summary>Which loop sums lookup-table entries over a list's codes (see <see cref="AdcScan"/>).</summary>
public enum AdcKernel
{
    /// <summary>The measured winner on this machine (see bench/results/ivfpq.md).</summary>
    Auto,

    /// <summary>Plain loads, four codes interleaved: the reference.</summary>
    Scalar,

    /// <summary>AVX2 gathers: eight table entries of one code per instruction.</summary>
    Avx2Gather,
}
