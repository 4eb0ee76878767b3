using System.Text.Json;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Models.Content;

namespace RecSys.Engine.Models.Persistence;

/// <summary>
/// The content encoder's vocabulary beside its item vectors (content_vocabulary.json): the one-hot categories in
/// dimension order and one idf weight per dimension (JSON numbers round-trip floats exactly). The options are the
/// manifest's parameters. Written through the durable-file helper (temp, fsync, rename).
/// </summary>
public static class ContentVocabularyFile
{
    public const string FileName = "content_vocabulary.json";

    private sealed record Document(string[] Categories, float[] Idf);

    public static string Write(string directory, ContentVocabulary vocabulary)
    {
        string path = Path.Combine(directory, FileName);
        var doc = new Document([.. vocabulary.Categories], vocabulary.Idf.ToArray());
        DurableFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(doc));
        return FileName;
    }

    /// <summary>Reads the vocabulary of a model with <paramref name="options"/> and <paramref name="dimension"/> dimensions (errors name the file).</summary>
    public static ContentVocabulary Read(string directory, string file, ContentOptions options, int dimension)
    {
        string path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: content vocabulary not found", path);
        Document? doc;
        try
        {
            doc = JsonSerializer.Deserialize<Document>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid content vocabulary ({e.Message})", e);
        }
        if (doc?.Categories is null || doc.Idf is null)
            throw new InvalidDataException($"{path}: lacks 'Categories' or 'Idf'");
        if (doc.Idf.Length != dimension)
            throw new InvalidDataException($"{path}: {doc.Idf.Length} idf weights, the model has {dimension} dimensions");
        try
        {
            return new ContentVocabulary(options, doc.Categories, doc.Idf);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
