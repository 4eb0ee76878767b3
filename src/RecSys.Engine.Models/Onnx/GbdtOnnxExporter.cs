using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Models.Onnx;

/// <summary>
/// Writes a <see cref="GbdtRanker"/> as ONNX: one ONNX-ML TreeEnsembleRegressor (domain ai.onnx.ml, opset 3) over the
/// attribute arrays <see cref="TreeEnsemble.ToOnnxAttributes"/> computes, so ONNX Runtime walks exactly our trees:
/// <code>
///  features [candidates x F] float (NaN = missing) -> TreeEnsembleRegressor (SUM of leaves, no transform) -> score [candidates x 1]
/// </code>
/// A residual model (<see cref="TreeEnsemble.HasBase"/>: boosted from LightGBM init_score = w x one feature column) adds
/// its base in the graph, from the same input, so the served score is trees + base exactly as the C# walk computes it:
/// <code>
///  features -> TreeEnsembleRegressor -> trees [candidates x 1] ─┐
///  features -> Gather(column, axis 1) -> Mul(w) -> base ─────────┴─> Add -> score [candidates x 1]
/// </code>
/// (Gather rather than a MatMul with a one-hot column: 0 x NaN in the other, missing, columns would poison the sum.)
/// The metadata carries the feature schema and says NaN is a missing value (each split's default direction).
/// </summary>
public static class GbdtOnnxExporter
{
    public static byte[] Build(GbdtRanker model, string? description = null) => Graph(model).Build(Metadata(model, description));

    public static void Save(GbdtRanker model, string path, string? description = null) =>
        RankerOnnxFile.Save(Graph(model), path, Metadata(model, description), model.Schema);

    private static OnnxGraphBuilder Graph(GbdtRanker model)
    {
        TreeEnsembleOnnxAttributes a = model.Trees.ToOnnxAttributes();
        var g = new OnnxGraphBuilder("gbdt_ranker").UseOpset(OnnxGraphBuilder.MlDomain, OnnxGraphBuilder.MlOpset);
        g.AddInput(RankerOnnxFile.InputName, OnnxElementType.Float, RankerOnnxFile.CandidateDimension, model.Schema.Count);
        bool withBase = model.Trees.HasBase;
        string trees = withBase ? "trees" : RankerOnnxFile.OutputName;
        g.AddNode("TreeEnsembleRegressor", OnnxGraphBuilder.MlDomain, [RankerOnnxFile.InputName], [trees],
            OnnxAttribute.Int("n_targets", a.TargetCount),
            OnnxAttribute.String("aggregate_function", a.AggregateFunction),
            OnnxAttribute.String("post_transform", a.PostTransform),
            OnnxAttribute.Floats("base_values", a.BaseValues),
            OnnxAttribute.Ints("nodes_treeids", a.NodesTreeIds),
            OnnxAttribute.Ints("nodes_nodeids", a.NodesNodeIds),
            OnnxAttribute.Ints("nodes_featureids", a.NodesFeatureIds),
            OnnxAttribute.Floats("nodes_values", a.NodesValues),
            OnnxAttribute.Strings("nodes_modes", a.NodesModes),
            OnnxAttribute.Ints("nodes_truenodeids", a.NodesTrueNodeIds),
            OnnxAttribute.Ints("nodes_falsenodeids", a.NodesFalseNodeIds),
            OnnxAttribute.Ints("nodes_missing_value_tracks_true", a.NodesMissingValueTracksTrue),
            OnnxAttribute.Ints("target_treeids", a.TargetTreeIds),
            OnnxAttribute.Ints("target_nodeids", a.TargetNodeIds),
            OnnxAttribute.Ints("target_ids", a.TargetIds),
            OnnxAttribute.Floats("target_weights", a.TargetWeights));
        if (withBase)
        {
            g.AddInitializer("base_column", [(long)model.Trees.BaseFeature], 1);
            g.AddInitializer("base_weight", [model.Trees.BaseWeight], 1);
            g.AddNode("Gather", [RankerOnnxFile.InputName, "base_column"], ["base_feature"], OnnxAttribute.Int("axis", 1));
            g.AddNode("Mul", ["base_feature", "base_weight"], ["base"]);
            g.AddNode("Add", [trees, "base"], [RankerOnnxFile.OutputName]);
        }
        g.AddOutput(RankerOnnxFile.OutputName, OnnxElementType.Float, RankerOnnxFile.CandidateDimension, 1);
        return g;
    }

    private static Dictionary<string, string> Metadata(GbdtRanker model, string? description) =>
        RankerOnnxFile.Metadata(model.Schema, "gbdt", description ?? model.Describe(), missingValues: true);
}
