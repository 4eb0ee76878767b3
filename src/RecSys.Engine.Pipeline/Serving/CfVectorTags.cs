namespace RecSys.Engine.Pipeline.Serving;

/// <summary>
/// How a stored CF vector names the ALS model that made it (<see cref="ServingModels.CfVectorTag"/>):
/// <code>
///   untagged (tag 0)   [f0 .. f(k-1)]            k floats
///   tagged             [f0 .. f(k-1) | tag]      k + 1 floats, the tag an integer below 2^24 (exact as a float)
/// </code>
/// A version reads only vectors of its own shape and tag, so after a swap to another ALS model a user's stored
/// vector is ignored and folded in afresh, never read in the wrong space.
/// </summary>
internal static class CfVectorTags
{
    /// <summary>Floats a stored vector of <paramref name="factors"/> factors has under <paramref name="tag"/>.</summary>
    public static int StoredLength(int factors, int tag) => tag == 0 ? factors : factors + 1;

    /// <summary>Whether <paramref name="stored"/> was written by a model of <paramref name="factors"/> factors and tag <paramref name="tag"/>.</summary>
    public static bool Matches(ReadOnlySpan<float> stored, int factors, int tag) =>
        stored.Length == StoredLength(factors, tag) && (tag == 0 || stored[factors] == tag);

    /// <summary>Writes the tag after the factors (the caller sized the vector with <see cref="StoredLength"/>).</summary>
    public static void Stamp(Span<float> stored, int factors, int tag)
    {
        if (tag != 0)
            stored[factors] = tag;
    }
}
