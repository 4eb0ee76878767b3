using System.Globalization;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.TwoTower;

namespace RecSys.Engine.Models.Persistence;

public static partial class ModelStore
{
    /// <summary>
    /// The two-tower model, as serving needs it (both towers' C# forward passes, the item vectors, encoding items added later):
    /// <code>
    ///   items.ids|.txt          ordinal -> external item id (ordinal i = embedding row i)
    ///   embeddings.vec          the shared id embedding table, (items + 1) x embedding dimension (last row: the padding)
    ///   towers.f64              the user then the item tower's layers (weights, biases), one row; doubles hold floats exactly
    ///   item_vectors.vec        the item tower's unit output per trained item (what the retrieval index holds; cosine)
    ///   item_stats.f64          2 x items: training interactions, age in days (the item features of a re-encoded item)
    ///   content_vocabulary.json the content block's vocabulary, when the model has one
    /// </code>
    /// Sizes and layer widths are manifest parameters. The training users' vectors are not kept: a loaded model serves
    /// (the user tower runs per request) but does not score offline.
    /// </summary>
    public static void SaveTwoTower(TwoTowerModel model, IdMap items, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count != model.ItemCount)
            throw new ArgumentException($"the model has {model.ItemCount} trained items, the id map {items.Count}", nameof(items));
        Core.Files.DurableFile.CreateDirectory(directory);
        var o = model.Options;
        int e = o.EmbeddingDimension, table = (model.ItemCount + 1) * e;
        var towers = new double[model.Parameters.Length - table];
        for (int i = 0; i < towers.Length; i++)
            towers[i] = model.Parameters[table + i];
        DoubleMatrixFile.Write(Path.Combine(directory, "towers.f64"), towers, 1, towers.Length);
        var stats = new double[2L * model.ItemCount];
        for (int i = 0; i < model.ItemCount; i++)
        {
            stats[i] = model.ItemCounts[i];
            stats[model.ItemCount + i] = model.ItemAgeDays[i];
        }
        DoubleMatrixFile.Write(Path.Combine(directory, "item_stats.f64"), stats, 2, model.ItemCount);
        var files = new Dictionary<string, string>
        {
            ["items"] = IdMapFile.Write(directory, "items", items),
            ["embeddings"] = WriteRows(directory, "embeddings.vec", model.Embeddings, model.ItemCount + 1, e, null),
            ["towers"] = "towers.f64",
            ["item_vectors"] = WriteRows(directory, "item_vectors.vec", model.ItemVectors, model.ItemCount, model.Dimension, DistanceMetric.Cosine),
            ["item_stats"] = "item_stats.f64",
        };
        if (model.Features.Content is { } vocabulary)
            files["vocabulary"] = ContentVocabularyFile.Write(directory, vocabulary);
        var c = model.ContentOptions;
        WriteManifest(directory, new ModelManifest
        {
            Kind = "twotower",
            Users = model.UserCount,
            Items = model.ItemCount,
            Dimension = model.Dimension,
            Parameters = new()
            {
                ["embedding_dimension"] = Str(e),
                ["hidden"] = string.Join(",", o.Hidden.Select(Str)),
                ["max_history"] = Str(o.MaxHistory),
                ["demographic_buckets"] = Str(o.DemographicBuckets),
                ["segment_buckets"] = Str(o.SegmentBuckets),
                ["tower_parameters"] = Str(towers.Length),
                ["temperature"] = Str(o.Temperature),
                ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
                ["content_hash_buckets"] = Str(c.HashBuckets),
                ["content_use_title"] = Str(c.UseTitle),
                ["content_category_weight"] = Str(c.CategoryWeight),
                ["content_dimension"] = Str(model.Features.ContentDimension),
            },
            Files = files,
        });
    }

    /// <summary>A two-tower model saved by <see cref="SaveTwoTower"/>, ready to serve; errors name the file and the fault.</summary>
    public static (TwoTowerModel Model, IdMap Items) LoadTwoTower(string directory)
    {
        var m = ReadManifest(directory, "twotower");
        string hidden = Get(m, "hidden");
        int[] layers;
        try
        {
            layers = hidden.Length == 0 ? [] : [.. hidden.Split(',').Select(h => int.Parse(h, NumberStyles.Integer, CultureInfo.InvariantCulture))];
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{m.SourcePath}: model manifest parameter 'hidden' is '{hidden}', not comma-separated integers");
        }
        var options = new TwoTowerOptions
        {
            EmbeddingDimension = Int(m, "embedding_dimension"),
            Hidden = layers,
            Dimension = m.Dimension,
            MaxHistory = Int(m, "max_history"),
            DemographicBuckets = Int(m, "demographic_buckets"),
            SegmentBuckets = Int(m, "segment_buckets"),
            Temperature = Float(m, "temperature"),
            Seed = ulong.TryParse(Get(m, "seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong seed)
                ? seed : throw new InvalidDataException($"{m.SourcePath}: model manifest parameter 'seed' is not an unsigned integer"),
        };
        var content = new ContentOptions
        {
            HashBuckets = Int(m, "content_hash_buckets"),
            UseTitle = Bool(m, "content_use_title"),
            CategoryWeight = Float(m, "content_category_weight"),
        };
        int contentDimension = Int(m, "content_dimension");
        var vocabulary = m.Files.ContainsKey("vocabulary") ? ContentVocabularyFile.Read(directory, FileOf(m, directory, "vocabulary"), content, contentDimension) : null;
        if ((vocabulary?.Dimension ?? 0) != contentDimension)
            throw new InvalidDataException($"{m.SourcePath}: content dimension {contentDimension}, but the vocabulary has {vocabulary?.Dimension ?? 0}");
        TwoTowerModel model;
        try
        {
            model = new TwoTowerModel(options, content);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{m.SourcePath}: {ex.Message}", ex);
        }
        int items = m.Items, e = options.EmbeddingDimension;
        float[] embeddings = ReadRows(directory, FileOf(m, directory, "embeddings"), items + 1, e);
        var features = new TwoTowerFeatures(vocabulary, options.MaxHistory, options.DemographicBuckets, options.SegmentBuckets);
        double[] towers = DoubleMatrixFile.Read(Path.Combine(directory, FileOf(m, directory, "towers")), 1, Int(m, "tower_parameters"));
        var parameters = new float[embeddings.Length + towers.Length];
        embeddings.CopyTo(parameters, 0);
        for (int i = 0; i < towers.Length; i++)
            parameters[embeddings.Length + i] = (float)towers[i];
        double[] stats = DoubleMatrixFile.Read(Path.Combine(directory, FileOf(m, directory, "item_stats")), 2, items);
        var counts = new int[items];
        var ages = new double[items];
        for (int i = 0; i < items; i++)
        {
            counts[i] = (int)stats[i];
            ages[i] = stats[items + i];
        }
        float[] vectors = ReadRows(directory, FileOf(m, directory, "item_vectors"), items, m.Dimension);
        try
        {
            model.Restore(features, items, m.Users, parameters, counts, ages, vectors);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{m.SourcePath}: {ex.Message}", ex);
        }
        return (model, IdMapFile.Read(directory, FileOf(m, directory, "items"), items));
    }
}
