using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Persistence;
using RecSys.Engine.Testing;

namespace RecSys.Engine.Models.Tests.Content;

public sealed class ContentVocabularyTests
{
    private static (ContentEncoder Model, TrainingData Data) Trained()
    {
        var builder = new InteractionSetBuilder { Catalog = new ItemCatalog() };
        string[][] genres = [["Action", "Sci-Fi"], ["Romance"], ["Romance", "Comedy"], ["Drama"]];
        string[] titles = ["Star Wars (1977)", "Sleepless in Seattle (1993)", "Notting Hill (1999)", "Heat (1995)"];
        for (int i = 0; i < genres.Length; i++)
            builder.Catalog.Set(builder.Items.GetOrAdd($"m{i}"), titles[i], genres[i], i == 3 ? ["crime story"] : null);
        builder.Add("u", "m0", 1, 0);
        var data = new TrainingData(builder.Build());
        var model = new ContentEncoder(new ContentOptions { HashBuckets = 32 });
        model.Fit(data);
        return (model, data);
    }

    [Fact]
    public void Encoding_an_item_again_gives_its_trained_vector()
    {
        var (model, data) = Trained();
        var vocabulary = model.Vocabulary!;
        var v = new float[vocabulary.Dimension];
        for (int i = 0; i < model.ItemCount; i++)
        {
            vocabulary.Encode(data.Catalog!.Title(i), data.Catalog.Categories(i), data.Catalog.Tags(i), v);
            Assert.Equal(model.ItemVector(i).ToArray(), v);
        }
        // A new item of a known category lands next to that category's items; an unknown category adds nothing.
        vocabulary.Encode("", ["Romance", "Western"], [], v);
        Assert.True(Core.Vectors.Kernels.DotProduct.Compute(v, model.ItemVector(1)) > 0.3f);
        Assert.Equal(0f, Core.Vectors.Kernels.DotProduct.Compute(v, model.ItemVector(3)));
    }

    [Fact]
    public void The_vocabulary_is_saved_with_the_model()
    {
        var (model, data) = Trained();
        using var dir = new TempDirectory();
        ModelStore.SaveContent(model, data.Events.Items, dir.Path);
        var (loaded, _) = ModelStore.LoadContent(dir.Path);
        Assert.NotNull(loaded.Vocabulary);
        Assert.Equal(model.Vocabulary!.Categories, loaded.Vocabulary!.Categories);
        Assert.Equal(model.Vocabulary.Idf.ToArray(), loaded.Vocabulary.Idf.ToArray());
        var a = new float[model.Dimension];
        var b = new float[model.Dimension];
        model.Vocabulary.Encode("Space Wars", ["Sci-Fi"], ["robots"], a);
        loaded.Vocabulary.Encode("Space Wars", ["Sci-Fi"], ["robots"], b);
        Assert.Equal(a, b);

        File.WriteAllText(dir.File(ContentVocabularyFile.FileName), "{\"Categories\":[\"x\"],\"Idf\":[1]}");
        var e = Assert.Throws<InvalidDataException>(() => ModelStore.LoadContent(dir.Path));
        Assert.Contains(ContentVocabularyFile.FileName, e.Message);
    }
}
