using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.Onnx;

/// <summary>
/// Writes an <see cref="MlpRanker"/> as ONNX (opset 17), the same arithmetic as <see cref="MlpRanker.Score"/>:
/// <code>
///  features [candidates x F] -> Sub(mean) -> Mul(invStd) -> Gemm(W1, b1, transB) -> Relu -> ... -> Gemm(Wk, bk) -> Reshape [-1] -> score [candidates]
/// </code>
/// metadata_props carry the feature schema (JSON), the input / output names, the model kind and its description; the
/// schema JSON is also written beside the file (<see cref="SchemaPath"/>).
/// </summary>
public static class MlpOnnxExporter
{
    public const string InputName = RankerOnnxFile.InputName;

    public const string OutputName = RankerOnnxFile.OutputName;

    public const string CandidateDimension = RankerOnnxFile.CandidateDimension;

    /// <summary>model.onnx -> model.schema.json.</summary>
    public static string SchemaPath(string modelPath) => RankerOnnxFile.SchemaPath(modelPath);

    public static byte[] Build(MlpRanker model, string? description = null) => Graph(model).Build(Metadata(model, description));

    public static void Save(MlpRanker model, string path, string? description = null) =>
        RankerOnnxFile.Save(Graph(model), path, Metadata(model, description), model.Schema);

    private static OnnxGraphBuilder Graph(MlpRanker model)
    {
        int f = model.Schema.Count;
        var g = new OnnxGraphBuilder("mlp_ranker");
        g.AddInput(InputName, OnnxElementType.Float, CandidateDimension, f);
        g.AddInitializer("mean", model.Mean, f);
        g.AddInitializer("inv_std", model.InvStd, f);
        g.AddNode("Sub", [InputName, "mean"], ["centered"]);
        g.AddNode("Mul", ["centered", "inv_std"], ["h_0"]);
        string current = "h_0";
        for (int l = 0; l < model.LayerCount; l++)
        {
            int inputs = model.LayerSizes[l], outputs = model.LayerSizes[l + 1];
            string w = $"w_{l}", b = $"b_{l}", z = $"z_{l + 1}";
            g.AddInitializer(w, model.Weights(l), outputs, inputs);
            g.AddInitializer(b, model.Bias(l), outputs);
            g.AddNode("Gemm", [current, w, b], [z], OnnxAttribute.Int("transB", 1));
            current = z;
            if (l < model.LayerCount - 1)
            {
                g.AddNode("Relu", [z], [$"h_{l + 1}"]);
                current = $"h_{l + 1}";
            }
        }
        g.AddInitializer("flat", [-1L], 1);
        g.AddNode("Reshape", [current, "flat"], [OutputName]);
        g.AddOutput(OutputName, OnnxElementType.Float, CandidateDimension);
        return g;
    }

    private static Dictionary<string, string> Metadata(MlpRanker model, string? description) =>
        RankerOnnxFile.Metadata(model.Schema, "mlp", description ?? model.Describe());
}
