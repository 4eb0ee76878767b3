using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Onnx.Proto;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Onnx;

public sealed class OnnxGraphBuilderTests
{
    [Fact]
    public void Build_WritesOfficialFields_ReadableByTheProtoSchema()
    {
        var g = new OnnxGraphBuilder("g");
        g.AddInput("x", OnnxElementType.Float, "n", 3);
        g.AddInitializer("w", [1f, 2f, 3f], 1, 3);
        g.AddNode("Gemm", ["x", "w"], ["y"], OnnxAttribute.Int("transB", 1));
        g.AddNode("TreeEnsembleRegressor", OnnxGraphBuilder.MlDomain, ["x"], ["t"], OnnxAttribute.Strings("nodes_modes", ["BRANCH_LEQ", "LEAF"]),
            OnnxAttribute.Floats("nodes_values", [0.5f, 0f]), OnnxAttribute.Ints("nodes_featureids", [0, 0]));
        g.AddOutput("y", OnnxElementType.Float, "n", 1);
        byte[] bytes = g.Build(new Dictionary<string, string> { ["k"] = "v" });

        ModelProto model = ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(OnnxGraphBuilder.IrVersion, model.IrVersion);
        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(3, model.OpsetImport.Single(o => o.Domain == "ai.onnx.ml").Version);
        Assert.Equal("v", model.MetadataProps.Single().Value);
        Assert.Equal("n", model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(3, model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal(12, model.Graph.Initializer[0].RawData.Length);
        NodeProto tree = model.Graph.Node[1];
        Assert.Equal("ai.onnx.ml", tree.Domain);
        Assert.Equal(AttributeProto.Types.AttributeType.Strings, tree.Attribute[0].Type);
        Assert.Equal("LEAF", tree.Attribute[0].Strings[1].ToStringUtf8());
        // Field numbers on the wire: ModelProto.ir_version is field 1 (tag 0x08), graph field 7 (tag 0x3A).
        Assert.Equal(0x08, bytes[0]);
        Assert.Contains((byte)0x3A, bytes);
    }

    [Fact]
    public void Mistakes_FailAtTheBuilder_NamingTheValue()
    {
        var g = new OnnxGraphBuilder("g");
        g.AddInput("x", OnnxElementType.Float, "n", 3);
        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => g.AddNode("Relu", ["nope"], ["y"])).Message);
        Assert.Contains("'x'", Assert.Throws<ArgumentException>(() => g.AddInput("x", OnnxElementType.Float, 1)).Message);
        Assert.Contains("[2, 2]", Assert.Throws<ArgumentException>(() => g.AddInitializer("w", [1f, 2f, 3f], 2, 2)).Message);
        Assert.Throws<ArgumentException>(() => g.AddOutput("y", OnnxElementType.Float, "n"));
        Assert.Throws<ArgumentException>(() => g.AddNode("Custom", "com.example", ["x"], ["z"]));
        Assert.Throws<InvalidOperationException>(() => g.Build());
    }

    [Fact]
    public void MlpExport_CarriesTheSchemaAndNames_AndWritesTheSchemaBeside()
    {
        var schema = RankingFeatureSchema.Create(["a", "b"]);
        var model = new MlpRanker(schema, [4], new float[schema.Count], new float[schema.Count], seed: 1);
        using var dir = new TempDirectory();
        string path = dir.File("ranker.onnx");
        MlpOnnxExporter.Save(model, path, "test model");
        ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var meta = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Null(schema.FirstDifference(RankingFeatureSchema.FromJson(meta[OnnxMetadataKeys.FeatureSchema])));
        Assert.Equal("features", meta[OnnxMetadataKeys.InputName]);
        Assert.Equal("score", meta[OnnxMetadataKeys.OutputName]);
        Assert.Equal("mlp", meta[OnnxMetadataKeys.ModelKind]);
        Assert.Equal(["Sub", "Mul", "Gemm", "Relu", "Gemm", "Reshape"], proto.Graph.Node.Select(n => n.OpType));
        Assert.Null(schema.FirstDifference(RankingFeatureSchema.FromJson(File.ReadAllText(MlpOnnxExporter.SchemaPath(path)))));
    }
}
