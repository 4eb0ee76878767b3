namespace RecSys.Engine.Core.Vectors.Kernels;

/// <summary>
/// Cosine similarity. Indexes store cosine vectors normalised on entry, where cosine is exactly the
/// inner product (<see cref="DotProduct"/>): this class is for unnormalised inputs and for normalising.
/// </summary>
public static class CosineSimilarity
{
    /// <summary>dot(a, b) / (|a| |b|); 0 when either vector is all zeros.</summary>
    public static float Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float dot = DotProduct.Compute(a, b);
        float na = DotProduct.Compute(a, a);
        float nb = DotProduct.Compute(b, b);
        if (na == 0 || nb == 0)
            return 0;
        return (float)(dot / (Math.Sqrt(na) * Math.Sqrt(nb)));
    }

    /// <summary>
    /// Scales <paramref name="x"/> to unit length in place, with the norm summed in double (the
    /// SYNTHETIC.md rule, so our normalised data matches the peers' bit for bit).
    /// Returns false and leaves the vector unchanged when it is all zeros (no direction to keep).
    /// </summary>
    public static bool Normalize(Span<float> x)
    {
        double sum = 0;
        foreach (float v in x)
            sum += (double)v * v;
        if (sum == 0)
            return false;
        double norm = Math.Sqrt(sum);
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)(x[i] / norm);
        return true;
    }

    /// <summary>Scalar float64 reference.</summary>
    public static double Reference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = DotProduct.Reference(a, b);
        double na = DotProduct.Reference(a, a);
        double nb = DotProduct.Reference(b, b);
        return na == 0 || nb == 0 ? 0 : dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }
}
