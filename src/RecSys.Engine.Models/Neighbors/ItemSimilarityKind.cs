namespace RecSys.Engine.Models.Neighbors;

/// <summary>How co-occurrence counts become item-item similarity (as in SAR).</summary>
public enum ItemSimilarityKind
{
    /// <summary>c_ij / sqrt(c_ii c_jj).</summary>
    Cosine,

    /// <summary>c_ij / (c_ii + c_jj - c_ij).</summary>
    Jaccard,

    /// <summary>c_ij / max(c_ii, c_jj).</summary>
    Lift,
}
