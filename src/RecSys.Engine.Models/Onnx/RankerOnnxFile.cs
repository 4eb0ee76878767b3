using RecSys.Engine.Core.Files;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Models.Onnx;

/// <summary>
/// What every ranker export shares: the graph's input and output names, the metadata (feature schema JSON, names,
/// model kind, description) and the schema written beside the .onnx file. The exporters add only their graph.
/// </summary>
internal static class RankerOnnxFile
{
    public const string InputName = "features";

    public const string OutputName = "score";

    public const string CandidateDimension = "candidates";

    public static Dictionary<string, string> Metadata(RankingFeatureSchema schema, string kind, string description, bool missingValues = false)
    {
        var metadata = new Dictionary<string, string>
        {
            [OnnxMetadataKeys.FeatureSchema] = schema.ToJson(),
            [OnnxMetadataKeys.InputName] = InputName,
            [OnnxMetadataKeys.OutputName] = OutputName,
            [OnnxMetadataKeys.ModelKind] = kind,
            [OnnxMetadataKeys.Description] = description,
        };
        if (missingValues)
            metadata[OnnxMetadataKeys.MissingValues] = OnnxMetadataKeys.MissingAsNaN;
        return metadata;
    }

    /// <summary>Writes the model, then its schema beside it (model.onnx -> model.schema.json), each durably.</summary>
    public static void Save(OnnxGraphBuilder graph, string path, Dictionary<string, string> metadata, RankingFeatureSchema schema)
    {
        graph.Save(path, metadata);
        DurableFile.WriteAllBytes(SchemaPath(path), System.Text.Encoding.UTF8.GetBytes(schema.ToJson()));
    }

    public static string SchemaPath(string modelPath) => Path.ChangeExtension(modelPath, ".schema.json");
}
