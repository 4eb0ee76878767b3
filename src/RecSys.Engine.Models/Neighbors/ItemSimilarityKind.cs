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

    /// <summary>
    /// Adjacency in time: a_ij / sqrt(n_i n_j), with a_ij the sum of 1 / distance over every pair of events of i and j at
    /// most the window apart in one user's time-ordered history and n_i item i's event count (<see cref="SequenceCoOccurrence"/>).
    /// </summary>
    Sequence,
}
