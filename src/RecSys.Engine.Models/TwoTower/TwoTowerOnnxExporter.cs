using RecSys.Engine.Core.Files;
using RecSys.Engine.Models.Onnx;

namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// Writes one tower of a <see cref="TwoTowerModel"/> as ONNX (opset 17), the same arithmetic as the C# forward pass
/// (<see cref="TowerEncoder"/>): the embedding table rides along as an initializer, so the graph pools the ids itself.
/// <code>
///  ids [rows x slots] -> Gather(E) -> ReduceSum(axis 1) ----------------------------------\
///  ids -> Equal(padding) -> Not -> Cast(float) -> ReduceSum(axis 1) -> Max(1) -> divisor --> Div = pooled
///  Concat(features, pooled) -> Gemm+Relu ... -> Gemm = z -> z / Max(Sqrt(ReduceSum(z * z)), eps) -> vectors [rows x d]
/// </code>
/// Input and output names are the <see cref="TowerSchema"/>'s (user_features + history -> user_vector, item_features +
/// item_id -> item_vector); metadata_props carry the schema JSON, the model kind and the model's description, and the
/// schema JSON is also written beside the file (<see cref="SchemaPath"/>).
/// </summary>
public static class TwoTowerOnnxExporter
{
    public const string ModelKind = "twotower";

    public const string RowDimension = "rows";

    /// <summary>user_tower.onnx / item_tower.onnx.</summary>
    public static string FileName(TowerKind tower) => tower == TowerKind.User ? "user_tower.onnx" : "item_tower.onnx";

    /// <summary>tower.onnx -> tower.schema.json.</summary>
    public static string SchemaPath(string modelPath) => Path.ChangeExtension(modelPath, ".schema.json");

    public static byte[] Build(TwoTowerModel model, TowerKind tower) => Graph(model, tower, out var schema).Build(Metadata(model, schema));

    public static void Save(TwoTowerModel model, TowerKind tower, string path)
    {
        Graph(model, tower, out var schema).Save(path, Metadata(model, schema));
        DurableFile.WriteAllBytes(SchemaPath(path), System.Text.Encoding.UTF8.GetBytes(schema.ToJson()));
    }

    private static OnnxGraphBuilder Graph(TwoTowerModel model, TowerKind tower, out TowerSchema schema)
    {
        schema = TowerSchema.Of(model, tower);
        TowerLayout layout = model.Layout(tower);
        int e = layout.EmbeddingDimension;
        var g = new OnnxGraphBuilder($"twotower_{schema.Tower}_tower");
        g.AddInput(schema.FeaturesInput, OnnxElementType.Float, RowDimension, layout.Features);
        g.AddInput(schema.IdsInput, OnnxElementType.Int64, RowDimension, layout.IdSlots);
        g.AddInitializer("embeddings", model.Embeddings, model.ItemCount + 1, e);
        g.AddInitializer("padding_id", [model.PaddingId]);
        g.AddInitializer("axis_1", [1L], 1);
        g.AddInitializer("one", [1f]);
        g.AddInitializer("epsilon", [TwoTowerKernels.NormEpsilon]);

        g.AddNode("Gather", ["embeddings", schema.IdsInput], ["gathered"]);
        g.AddNode("ReduceSum", ["gathered", "axis_1"], ["id_sum"], OnnxAttribute.Int("keepdims", 0));
        g.AddNode("Equal", [schema.IdsInput, "padding_id"], ["is_padding"]);
        g.AddNode("Not", ["is_padding"], ["is_id"]);
        g.AddNode("Cast", ["is_id"], ["id_mask"], OnnxAttribute.Int("to", (long)OnnxElementType.Float));
        g.AddNode("ReduceSum", ["id_mask", "axis_1"], ["id_count"], OnnxAttribute.Int("keepdims", 1));
        g.AddNode("Max", ["id_count", "one"], ["id_divisor"]);
        g.AddNode("Div", ["id_sum", "id_divisor"], ["pooled"]);
        g.AddNode("Concat", [schema.FeaturesInput, "pooled"], ["h_0"], OnnxAttribute.Int("axis", 1));

        string current = g.AddDenseLayers("h_0", model.Parameters, layout.LayerSizes, layout.WeightOffset, layout.BiasOffset);
        g.AddNode("Mul", [current, current], ["squares"]);
        g.AddNode("ReduceSum", ["squares", "axis_1"], ["square_sum"], OnnxAttribute.Int("keepdims", 1));
        g.AddNode("Sqrt", ["square_sum"], ["norm"]);
        g.AddNode("Max", ["norm", "epsilon"], ["norm_divisor"]);
        g.AddNode("Div", [current, "norm_divisor"], [schema.Output]);
        g.AddOutput(schema.Output, OnnxElementType.Float, RowDimension, layout.Dimension);
        return g;
    }

    private static Dictionary<string, string> Metadata(TwoTowerModel model, TowerSchema schema) => new()
    {
        [OnnxMetadataKeys.TowerSchema] = schema.ToJson(),
        [OnnxMetadataKeys.ModelKind] = ModelKind,
        [OnnxMetadataKeys.Description] = model.Describe(),
    };
}
