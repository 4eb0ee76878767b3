using System.Globalization;
using System.Text.Json;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Core.Vectors.Storage;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;

namespace RecSys.Engine.Models.Persistence;

/// <summary>
/// Saves and loads trained models in a model directory:
/// <code>
///   manifest.json        kind, hyper-parameters, sizes, file names
///   users.ids|.txt       ordinal -> external user id (Core IdFile when numeric)
///   items.ids|.txt       ordinal -> external item id
///   *.vec                RecSys vector files (Core VectorFileWriter), one row per user / item
///   neighbors.csr        item-kNN / sequence neighbour lists in CSR layout (NeighborListFile); directories written before
///                        it hold neighbors.ids + neighbors.vec (fixed width, still read)
///   counts.f64, *.txt    popularity / trending: decayed counts in double, segment keys (ModelStore.Popularity.cs)
///   source-N-NAME/       a blend's sources, each a model directory of its own (ModelStore.Blend.cs)
/// </code>
/// Every file is written through Core's <see cref="DurableFile"/> (temp, fsync, rename, fsync of the directory), the
/// manifest last. <see cref="Save"/> / <see cref="Load"/> dispatch on the model type / the manifest's kind. Every reader checks
/// sizes against the manifest and names the file and the fault when something does not fit.
/// The vector files are the ones the ANN indexes map, so serving can build its indexes from them directly.
/// Loading copies the rows into the model's arrays (the models score from managed memory).
/// </summary>
public static partial class ModelStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void SaveAls(ImplicitAls model, IdMap users, IdMap items, string directory)
    {
        DurableFile.CreateDirectory(directory);
        var o = model.Options;
        var manifest = new ModelManifest
        {
            Kind = "als",
            Users = model.UserCount,
            Items = model.ItemCount,
            Dimension = model.Factors,
            Parameters = new()
            {
                ["factors"] = Str(o.Factors),
                ["alpha"] = Str(o.Alpha),
                ["lambda"] = Str(o.Lambda),
                ["iterations"] = Str(o.Iterations),
                ["solver"] = o.Solver.ToString(),
                ["cg_steps"] = Str(o.CgSteps),
                ["binary_confidence"] = o.BinaryConfidence ? "true" : "false",
                ["seed"] = o.Seed.ToString(CultureInfo.InvariantCulture),
            },
            Files = new()
            {
                ["users"] = IdMapFile.Write(directory, "users", users),
                ["items"] = IdMapFile.Write(directory, "items", items),
                ["user_vectors"] = WriteRows(directory, "user_factors.vec", model.UserFactors, model.UserCount, model.Factors, DistanceMetric.InnerProduct),
                ["item_vectors"] = WriteRows(directory, "item_factors.vec", model.ItemFactors, model.ItemCount, model.Factors, DistanceMetric.InnerProduct),
            },
        };
        WriteManifest(directory, manifest);
    }

    public static (ImplicitAls Model, IdMap Users, IdMap Items) LoadAls(string directory)
    {
        var m = ReadManifest(directory, "als");
        var options = new AlsOptions
        {
            Factors = Int(m, "factors"),
            Alpha = Float(m, "alpha"),
            Lambda = Float(m, "lambda"),
            Iterations = Int(m, "iterations"),
            Solver = Enum.Parse<AlsSolver>(Get(m, "solver")),
            CgSteps = Int(m, "cg_steps"),
            BinaryConfidence = Get(m, "binary_confidence") == "true",
            Seed = ulong.Parse(Get(m, "seed"), CultureInfo.InvariantCulture),
        };
        var model = new ImplicitAls(options);
        float[] userRows = ReadRows(directory, FileOf(m, directory, "user_vectors"), m.Users, m.Dimension);
        float[] itemRows = ReadRows(directory, FileOf(m, directory, "item_vectors"), m.Items, m.Dimension);
        model.Restore(userRows, itemRows, m.Users, m.Items);
        return (model, IdMapFile.Read(directory, FileOf(m, directory, "users"), m.Users), IdMapFile.Read(directory, FileOf(m, directory, "items"), m.Items));
    }

    public static void SaveEase(Ease model, IdMap items, string directory)
    {
        DurableFile.CreateDirectory(directory);
        WriteManifest(directory, new ModelManifest
        {
            Kind = "ease",
            Users = 0,
            Items = model.ItemCount,
            Dimension = model.ItemCount,
            Parameters = new() { ["lambda"] = Str(model.Lambda), ["dropout"] = Str(model.Dropout) },
            Files = new()
            {
                ["items"] = IdMapFile.Write(directory, "items", items),
                ["weights"] = WriteRows(directory, "weights.vec", model.Weights, model.ItemCount, model.ItemCount, null),
            },
        });
    }

    /// <summary>A restored EASE model; call <see cref="Ease.AttachHistories"/> (or score histories directly) to score users.</summary>
    public static (Ease Model, IdMap Items) LoadEase(string directory)
    {
        var m = ReadManifest(directory, "ease");
        // Directories written before the dropout setting existed hold plain EASE weights (dropout 0).
        float dropout = m.Parameters.ContainsKey("dropout") ? Float(m, "dropout") : 0f;
        if (!(dropout >= 0f && dropout < 1f))
            throw new InvalidDataException($"{m.SourcePath}: model manifest parameter 'dropout' must be in [0, 1), got {dropout}");
        var model = new Ease(Float(m, "lambda"), dropout: dropout);
        model.Restore(ReadRows(directory, FileOf(m, directory, "weights"), m.Items, m.Items), m.Items);
        return (model, IdMapFile.Read(directory, FileOf(m, directory, "items"), m.Items));
    }

    public static void SaveContent(ContentEncoder model, IdMap items, string directory)
    {
        DurableFile.CreateDirectory(directory);
        WriteManifest(directory, new ModelManifest
        {
            Kind = "content",
            Users = 0,
            Items = model.ItemCount,
            Dimension = model.Dimension,
            Parameters = new()
            {
                ["hash_buckets"] = Str(model.Options.HashBuckets),
                ["use_title"] = model.Options.UseTitle ? "true" : "false",
                ["category_weight"] = Str(model.Options.CategoryWeight),
            },
            Files = ContentFiles(model, directory, IdMapFile.Write(directory, "items", items),
                WriteRows(directory, "item_vectors.vec", model.ItemVectors, model.ItemCount, model.Dimension, DistanceMetric.Cosine)),
        });
    }

    private static Dictionary<string, string> ContentFiles(ContentEncoder model, string directory, string items, string itemVectors)
    {
        var files = new Dictionary<string, string> { ["items"] = items, ["item_vectors"] = itemVectors };
        if (model.Vocabulary is not null)
            files["vocabulary"] = ContentVocabularyFile.Write(directory, model.Vocabulary);
        return files;
    }

    /// <summary>A restored content model: item vectors, <see cref="ContentEncoder.BuildProfile"/> and <see cref="ContentEncoder.ScoreProfile"/> work.</summary>
    public static (ContentEncoder Model, IdMap Items) LoadContent(string directory)
    {
        var m = ReadManifest(directory, "content");
        var options = new ContentOptions
        {
            HashBuckets = Int(m, "hash_buckets"),
            UseTitle = Get(m, "use_title") == "true",
            CategoryWeight = Float(m, "category_weight"),
        };
        var model = new ContentEncoder(options);
        // Directories saved before the vocabulary was kept load without it (no encoding of new items).
        var vocabulary = m.Files.ContainsKey("vocabulary") ? ContentVocabularyFile.Read(directory, FileOf(m, directory, "vocabulary"), options, m.Dimension) : null;
        model.Restore(ReadRows(directory, FileOf(m, directory, "item_vectors"), m.Items, m.Dimension), m.Items, m.Dimension, vocabulary);
        return (model, IdMapFile.Read(directory, FileOf(m, directory, "items"), m.Items));
    }

    /// <summary>
    /// The vocabulary of a saved content model alone (its manifest and vocabulary file, not its item vectors); null
    /// when it was saved without one.
    /// </summary>
    public static ContentVocabulary? LoadContentVocabulary(string directory)
    {
        var m = ReadManifest(directory, "content");
        if (!m.Files.ContainsKey("vocabulary"))
            return null;
        var options = new ContentOptions
        {
            HashBuckets = Int(m, "hash_buckets"),
            UseTitle = Get(m, "use_title") == "true",
            CategoryWeight = Float(m, "category_weight"),
        };
        return ContentVocabularyFile.Read(directory, FileOf(m, directory, "vocabulary"), options, m.Dimension);
    }

    public static ModelManifest ReadManifest(string directory, string? expectedKind = null)
    {
        string path = Path.Combine(directory, ModelManifest.FileName);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"{path}: model manifest not found", path);
        ModelManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<ModelManifest>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid model manifest ({e.Message})", e);
        }
        if (m is null || m.Format != ModelManifest.CurrentFormat)
            throw new InvalidDataException($"{path}: not a RecSys model manifest");
        if (m.Version != ModelManifest.CurrentVersion)
            throw new InvalidDataException($"{path}: model format version {m.Version} is not supported (this build reads {ModelManifest.CurrentVersion})");
        if (expectedKind is not null && m.Kind != expectedKind)
            throw new InvalidDataException($"{path}: holds a '{m.Kind}' model, expected '{expectedKind}'");
        if (m.Users < 0 || m.Items < 0 || m.Dimension < 0)
            throw new InvalidDataException($"{path}: negative size (users {m.Users}, items {m.Items}, dimension {m.Dimension})");
        return m with { SourcePath = path };
    }

    private static void WriteManifest(string directory, ModelManifest manifest)
    {
        string path = Path.Combine(directory, ModelManifest.FileName);
        // Written last and durably: a directory with a manifest is a complete model.
        DurableFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
    }

    private static string WriteRows(string directory, string file, ReadOnlySpan<float> rows, int count, int dimension, DistanceMetric? metric)
    {
        using var writer = new VectorFileWriter(Path.Combine(directory, file), Math.Max(dimension, 1), metric);
        for (int r = 0; r < count; r++)
            writer.Append(rows.Slice(r * dimension, dimension));
        writer.Complete();
        return file;
    }

    private static float[] ReadRows(string directory, string file, int count, int dimension)
    {
        string path = Path.Combine(directory, file);
        using var mapped = MappedVectorFile.Open(path);
        if (mapped.Count != count || mapped.Dimension != dimension)
            throw new InvalidDataException($"{path}: holds {mapped.Count} x {mapped.Dimension} vectors, the manifest says {count} x {dimension}");
        var rows = new float[(long)count * dimension];
        for (int r = 0; r < count; r++)
            mapped.GetRow(r).CopyTo(rows.AsSpan(r * dimension, dimension));
        return rows;
    }

    /// <summary>The file of a role, checked to be a plain name inside the model directory.</summary>
    private static string FileOf(ModelManifest m, string directory, string role)
    {
        string path = Path.Combine(directory, ModelManifest.FileName);
        if (!m.Files.TryGetValue(role, out string? file))
            throw new InvalidDataException($"{path}: lists no '{role}' file");
        if (file.Length == 0 || file != Path.GetFileName(file) || file == "." || file == "..")
            throw new InvalidDataException($"{path}: '{role}' file name '{file}' is not a plain file name");
        return file;
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Str(float v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Get(ModelManifest m, string key) =>
        m.Parameters.TryGetValue(key, out string? v) ? v : throw new InvalidDataException($"{m.SourcePath}: model manifest lacks parameter '{key}'");

    private static int Int(ModelManifest m, string key) =>
        int.TryParse(Get(m, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new InvalidDataException($"{m.SourcePath}: model manifest parameter '{key}' is not an integer");

    private static float Float(ModelManifest m, string key) =>
        float.TryParse(Get(m, key), NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v : throw new InvalidDataException($"{m.SourcePath}: model manifest parameter '{key}' is not a number");

    private static double Double(ModelManifest m, string key) =>
        double.TryParse(Get(m, key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new InvalidDataException($"{m.SourcePath}: model manifest parameter '{key}' is not a number");

    private static bool Bool(ModelManifest m, string key) => Get(m, key) switch
    {
        "true" => true,
        "false" => false,
        var v => throw new InvalidDataException($"{m.SourcePath}: model manifest parameter '{key}' is '{v}', not true or false"),
    };

    private static string Str(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Str(bool v) => v ? "true" : "false";
}
