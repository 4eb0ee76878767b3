using System.Runtime.CompilerServices;

namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// Scores rows of a [rows x features] float matrix by walking every tree of an ensemble. Scalar by nature
/// (each row takes its own path), allocation-free, one pass per row with the row in cache; sums in double
/// like LightGBM. <see cref="ScoreReference"/> beside it follows LightGBM's predictor literally (double
/// threshold, the zeroing of tiny values, NumericalDecision's missing rules) and is the tests' oracle.
/// </summary>
internal static class TreeWalk
{
    /// <summary>LightGBM's kZeroThreshold: the float 1e-35 as a double.</summary>
    internal const double ZeroThreshold = 1e-35f;

    public static void Score(ReadOnlySpan<TreeWalkNode> nodes, ReadOnlySpan<double> leafValues, ReadOnlySpan<int> treeStarts,
        ReadOnlySpan<float> matrix, int featureCount, Span<float> scores)
    {
        int trees = treeStarts.Length - 1;
        for (int r = 0; r < scores.Length; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * featureCount, featureCount);
            double sum = 0;
            for (int t = 0; t < trees; t++)
                sum += leafValues[Leaf(nodes, treeStarts[t], row)];
            scores[r] = (float)sum;
        }
    }

    /// <summary>scores[r] += weight x matrix[r, feature]: a residual model's base margin (a strided read, one per row).</summary>
    public static void AddBase(ReadOnlySpan<float> matrix, int featureCount, int feature, float weight, Span<float> scores)
    {
        for (int r = 0; r < scores.Length; r++)
        {
            float product = weight * matrix[r * featureCount + feature];
            scores[r] += product;
        }
    }

    /// <summary>The leaf <paramref name="row"/> reaches from the root at <paramref name="node"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Leaf(ReadOnlySpan<TreeWalkNode> nodes, int node, ReadOnlySpan<float> row)
    {
        while (true)
        {
            TreeWalkNode n = nodes[node];
            if (n.Feature < 0)
                return node;
            float x = row[n.Feature];
            bool left;
            if (float.IsNaN(x))
                left = (n.Flags & TreeWalkNode.NanLeft) != 0;
            else if ((n.Flags & TreeWalkNode.ZeroIsMissing) != 0 && MathF.Abs(x) <= (float)ZeroThreshold)
                left = (n.Flags & TreeWalkNode.DefaultLeft) != 0;
            else
                left = x <= n.Threshold;
            node = left ? node + 1 : n.Right;
        }
    }

    /// <summary>
    /// LightGBM's own rules, in double: the dense predictor keeps a value only when |x| &gt; kZeroThreshold or it
    /// is NaN (the rest read as 0), then Tree::NumericalDecision: NaN becomes 0 unless the missing type is NaN;
    /// a missing value (NaN for type NaN, a zero for type Zero) goes the default direction; otherwise x &lt;= threshold
    /// goes left.
    /// </summary>
    public static double ScoreReference(TreeEnsemble model, ReadOnlySpan<float> row)
    {
        double sum = 0;
        for (int t = 0; t < model.TreeCount; t++)
        {
            int node = model.TreeStarts[t];
            while (model.SplitFeatures[node] >= 0)
            {
                double x = row[model.SplitFeatures[node]];
                if (!double.IsNaN(x) && Math.Abs(x) <= ZeroThreshold)
                    x = 0;
                byte decision = model.DecisionTypes[node];
                var missing = LightGbmDecision.MissingType(decision);
                if (double.IsNaN(x) && missing != LightGbmMissingType.NaN)
                    x = 0;
                bool left;
                if ((missing == LightGbmMissingType.Zero && x >= -ZeroThreshold && x <= ZeroThreshold) || (missing == LightGbmMissingType.NaN && double.IsNaN(x)))
                    left = LightGbmDecision.DefaultLeft(decision);
                else
                    left = x <= model.Thresholds[node];
                node = left ? node + 1 : model.RightChildren[node];
            }
            sum += model.LeafValues[node];
        }
        return sum;
    }
}
