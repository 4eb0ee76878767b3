namespace RecSys.Engine.Models.Ranking.Gbdt;

public sealed partial class TreeEnsemble
{
    /// <summary>
    /// The model as TreeEnsembleRegressor attributes. Throws <see cref="NotSupportedException"/> for a split whose
    /// missing type is Zero with a default direction that disagrees with its threshold: ONNX has no "zero is
    /// missing" rule, so no single node can say it (the trainer never asks LightGBM for zero_as_missing).
    /// </summary>
    public TreeEnsembleOnnxAttributes ToOnnxAttributes()
    {
        int leaves = 0;
        foreach (int f in _features)
            leaves += f < 0 ? 1 : 0;
        var a = new TreeEnsembleOnnxAttributes(NodeCount, leaves);
        int leaf = 0;
        for (int t = 0; t < TreeCount; t++)
        {
            int start = _treeStarts[t];
            for (int i = start; i < _treeStarts[t + 1]; i++)
            {
                a.NodesTreeIds[i] = t;
                a.NodesNodeIds[i] = i - start;
                if (_features[i] < 0)
                {
                    a.NodesModes[i] = TreeEnsembleOnnxAttributes.Leaf;
                    a.TargetTreeIds[leaf] = t;
                    a.TargetNodeIds[leaf] = i - start;
                    a.TargetWeights[leaf] = (float)_values[i];
                    leaf++;
                    continue;
                }
                TreeWalkNode n = _walk[i];
                if ((n.Flags & TreeWalkNode.ZeroIsMissing) != 0 && !ZeroBandFollowsThreshold(n))
                    throw new NotSupportedException($"tree {t}, node {i - start}: missing type Zero sends |x| <= 1e-35 {((n.Flags & TreeWalkNode.DefaultLeft) != 0 ? "left" : "right")} against its threshold {_thresholds[i]}; ONNX TreeEnsembleRegressor cannot express that");
                a.NodesModes[i] = TreeEnsembleOnnxAttributes.BranchLeq;
                a.NodesFeatureIds[i] = n.Feature;
                a.NodesValues[i] = n.Threshold;
                a.NodesTrueNodeIds[i] = i + 1 - start;
                a.NodesFalseNodeIds[i] = n.Right - start;
                a.NodesMissingValueTracksTrue[i] = (n.Flags & TreeWalkNode.NanLeft) != 0 ? 1 : 0;
            }
        }
        return a;
    }

    /// <summary>Whether x &lt;= threshold alone already sends the whole zero band [-1e-35, 1e-35] the default way.</summary>
    private static bool ZeroBandFollowsThreshold(TreeWalkNode n) =>
        (n.Flags & TreeWalkNode.DefaultLeft) != 0 ? n.Threshold >= (float)TreeWalk.ZeroThreshold : n.Threshold < -(float)TreeWalk.ZeroThreshold;
}
