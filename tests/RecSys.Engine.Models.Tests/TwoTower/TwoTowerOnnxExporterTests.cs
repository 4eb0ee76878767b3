using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Onnx;
using RecSys.Engine.Models.Onnx.Proto;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.TwoTower;

public sealed class TwoTowerOnnxExporterTests
{
    private static readonly Lazy<TwoTowerModel> Model = new(() =>
    {
        var model = new TwoTowerModel(TwoTowerTestData.Options() with { MaxEpochs = 1 }, TwoTowerTestData.Content);
        model.Fit(new TrainingData(TwoTowerTestData.Planted(users: 60, items: 80, perUser: 8)));
        return model;
    });

    [Theory]
    [InlineData(TowerKind.User, "user_features", "history", "user_vector")]
    [InlineData(TowerKind.Item, "item_features", "item_id", "item_vector")]
    public void Export_IsOpset17_WithNamedInputsAndTheTowerSchemaInItsMetadata(TowerKind tower, string features, string ids, string output)
    {
        ModelProto proto = ModelProto.Parser.ParseFrom(TwoTowerOnnxExporter.Build(Model.Value, tower));
        Assert.Contains(proto.OpsetImport, o => o.Domain == "" && o.Version == 17);
        Assert.Equal([features, ids], proto.Graph.Input.Select(i => i.Name));
        Assert.Equal(output, Assert.Single(proto.Graph.Output).Name);
        var meta = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(TwoTowerOnnxExporter.ModelKind, meta[OnnxMetadataKeys.ModelKind]);
        var schema = TowerSchema.FromJson(meta[OnnxMetadataKeys.TowerSchema], "metadata");
        Assert.Null(schema.FirstDifference(TowerSchema.Of(Model.Value, tower)));
        Assert.Equal(Model.Value.Layout(tower).Features, schema.Features.Count);
        // The embedding table rides along, padding row included.
        var table = proto.Graph.Initializer.Single(t => t.Name == "embeddings");
        Assert.Equal([Model.Value.ItemCount + 1L, Model.Value.Options.EmbeddingDimension], table.Dims);
    }

    [Fact]
    public void Save_WritesTheModelAndItsSchemaBesideIt()
    {
        using var dir = new TempDirectory();
        string path = dir.File(TwoTowerOnnxExporter.FileName(TowerKind.User));
        TwoTowerOnnxExporter.Save(Model.Value, TowerKind.User, path);
        Assert.Equal(TwoTowerOnnxExporter.Build(Model.Value, TowerKind.User), File.ReadAllBytes(path));
        var schema = TowerSchema.FromJson(File.ReadAllText(TwoTowerOnnxExporter.SchemaPath(path)), "schema file");
        Assert.Equal("user", schema.Tower);
    }
}
