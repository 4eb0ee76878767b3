using System.Runtime.InteropServices;

namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// One node as the tree walk reads it: 16 bytes, so a step touches one cache line. Nodes are in pre-order, so
/// the left ("true") child of node i is i + 1 and only the right child is stored. A leaf has
/// <see cref="Feature"/> = -1; its value sits at the same index in the ensemble's leaf-value array.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct TreeWalkNode
{
    /// <summary>NaN goes left (LightGBM: the default direction for missing types NaN and Zero; 0 &lt;= threshold for None).</summary>
    internal const int NanLeft = 1;

    /// <summary>Missing type Zero: |x| &lt;= 1e-35 goes the default direction.</summary>
    internal const int ZeroIsMissing = 2;

    /// <summary>The default direction is left (only read when <see cref="ZeroIsMissing"/> is set).</summary>
    internal const int DefaultLeft = 4;

    public TreeWalkNode(int feature, float threshold, int right, int flags)
    {
        Feature = feature;
        Threshold = threshold;
        Right = right;
        Flags = flags;
    }

    /// <summary>The feature column compared, or -1 for a leaf.</summary>
    public int Feature { get; }

    /// <summary>Go left when x &lt;= Threshold: LightGBM's double threshold folded into an exact float one.</summary>
    public float Threshold { get; }

    /// <summary>The index of the right ("false") child.</summary>
    public int Right { get; }

    public int Flags { get; }
}
