namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// A <see cref="TreeEnsemble"/> in the attribute layout of the ONNX-ML operator TreeEnsembleRegressor (domain
/// ai.onnx.ml): one entry per node in the nodes_* arrays, one per leaf in the target_* arrays, node ids local
/// to each tree. An exporter copies each array into the attribute of the same name; nothing is left to compute.
/// </summary>
/// <remarks>
/// Every split is BRANCH_LEQ on the walk's float threshold (exact for float inputs, see
/// <see cref="TreeEnsemble"/>); nodes_missing_value_tracks_true = 1 sends NaN to the true (left) branch, which is
/// how LightGBM's default-left and missing-type rules come out per node. Leaves are LEAF nodes with feature id,
/// value and child ids 0.
/// </remarks>
public sealed class TreeEnsembleOnnxAttributes
{
    public const string BranchLeq = "BRANCH_LEQ";
    public const string Leaf = "LEAF";

    internal TreeEnsembleOnnxAttributes(int nodes, int leaves)
    {
        NodesTreeIds = new long[nodes];
        NodesNodeIds = new long[nodes];
        NodesFeatureIds = new long[nodes];
        NodesValues = new float[nodes];
        NodesModes = new string[nodes];
        NodesTrueNodeIds = new long[nodes];
        NodesFalseNodeIds = new long[nodes];
        NodesMissingValueTracksTrue = new long[nodes];
        TargetTreeIds = new long[leaves];
        TargetNodeIds = new long[leaves];
        TargetIds = new long[leaves];
        TargetWeights = new float[leaves];
    }

    /// <summary>n_targets: one score per row.</summary>
    public long TargetCount => 1;

    /// <summary>aggregate_function: the score is the sum of the leaves reached.</summary>
    public string AggregateFunction => "SUM";

    /// <summary>post_transform: raw scores, as LightGBM's lambdarank predicts them.</summary>
    public string PostTransform => "NONE";

    /// <summary>base_values: nothing added (LightGBM folds any initial score into the first tree's leaves).</summary>
    public float[] BaseValues { get; } = [0f];

    public long[] NodesTreeIds { get; }

    public long[] NodesNodeIds { get; }

    public long[] NodesFeatureIds { get; }

    public float[] NodesValues { get; }

    /// <summary>"BRANCH_LEQ" for a split, "LEAF" for a leaf.</summary>
    public string[] NodesModes { get; }

    public long[] NodesTrueNodeIds { get; }

    public long[] NodesFalseNodeIds { get; }

    public long[] NodesMissingValueTracksTrue { get; }

    public long[] TargetTreeIds { get; }

    public long[] TargetNodeIds { get; }

    /// <summary>All 0: the single output.</summary>
    public long[] TargetIds { get; }

    public float[] TargetWeights { get; }
}
