using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Models.Tests.Ranking.Gbdt;

/// <summary>
/// The ONNX-ML attribute layout, read back with the operator's own semantics (TreeEnsembleRegressor: BRANCH_LEQ
/// goes to the true node when x &lt;= value, or when x is NaN and missing_value_tracks_true; leaf weights summed),
/// must score exactly as the walk does: the exporter then only copies arrays.
/// </summary>
public sealed class TreeEnsembleOnnxAttributesTests
{
    [Fact]
    public void OnnxLayout_ScoresAsTheWalk_IncludingMissingValues()
    {
        using var lgbm = new LightGbmModels(LightGbmModels.Parameters(false), rounds: 30);
        var model = TreeEnsemble.FromLightGbmJson(lgbm.Booster.DumpModelJson());
        var a = model.ToOnnxAttributes();

        int leaves = a.NodesModes.Count(m => m == TreeEnsembleOnnxAttributes.Leaf);
        Assert.Equal(model.NodeCount, a.NodesModes.Length);
        Assert.Equal(leaves, a.TargetWeights.Length);
        Assert.All(a.NodesModes, m => Assert.Contains(m, new[] { TreeEnsembleOnnxAttributes.BranchLeq, TreeEnsembleOnnxAttributes.Leaf }));
        Assert.All(a.TargetIds, id => Assert.Equal(0, id));
        Assert.Contains(1L, a.NodesMissingValueTracksTrue);
        Assert.Contains(0L, a.NodesMissingValueTracksTrue.Where((_, i) => a.NodesModes[i] == TreeEnsembleOnnxAttributes.BranchLeq));

        var rng = new Random(8);
        int f = model.FeatureCount, n = 2000;
        var rows = new float[n * f];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = rng.Next(6) == 0 ? float.NaN : lgbm.Rows[rng.Next(lgbm.Rows.Length)];
        var walk = new float[n];
        model.Score(rows, walk);
        for (int r = 0; r < n; r++)
        {
            double onnx = OnnxScore(a, rows.AsSpan(r * f, f));
            Assert.True(Math.Abs(onnx - walk[r]) <= 1e-5, $"row {r}: ONNX layout {onnx}, walk {walk[r]}");
        }
    }

    [Fact]
    public void ZeroAsMissing_AgainstItsThreshold_IsRefused()
    {
        // Zero is missing and goes left, but the threshold is below the zero band: no single ONNX node says that.
        const string json = """
            {"num_class":1,"num_tree_per_iteration":1,"max_feature_idx":0,"tree_info":[{"tree_structure":
              {"split_feature":0,"threshold":-0.5,"decision_type":"<=","default_left":true,"missing_type":"Zero",
               "left_child":{"leaf_value":1},"right_child":{"leaf_value":2}}}]}
            """;
        var e = Assert.Throws<NotSupportedException>(() => TreeEnsemble.FromLightGbmJson(json).ToOnnxAttributes());
        Assert.Contains("tree 0, node 0", e.Message);
    }

    /// <summary>TreeEnsembleRegressor over the attributes, as ONNX Runtime evaluates it (float compare, float sum).</summary>
    private static double OnnxScore(TreeEnsembleOnnxAttributes a, ReadOnlySpan<float> row)
    {
        var index = new Dictionary<(long Tree, long Node), int>();
        for (int i = 0; i < a.NodesTreeIds.Length; i++)
            index[(a.NodesTreeIds[i], a.NodesNodeIds[i])] = i;
        var weights = new Dictionary<(long Tree, long Node), float>();
        for (int i = 0; i < a.TargetTreeIds.Length; i++)
            weights[(a.TargetTreeIds[i], a.TargetNodeIds[i])] = a.TargetWeights[i];
        float sum = a.BaseValues[0];
        foreach (long tree in a.NodesTreeIds.Distinct())
        {
            int i = index[(tree, 0)];
            while (a.NodesModes[i] == TreeEnsembleOnnxAttributes.BranchLeq)
            {
                float x = row[(int)a.NodesFeatureIds[i]];
                bool toTrue = x <= a.NodesValues[i] || (float.IsNaN(x) && a.NodesMissingValueTracksTrue[i] == 1);
                i = index[(tree, toTrue ? a.NodesTrueNodeIds[i] : a.NodesFalseNodeIds[i])];
            }
            sum += weights[(tree, a.NodesNodeIds[i])];
        }
        return sum;
    }
}
