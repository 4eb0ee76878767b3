using RecSys.Engine.Core.Vectors;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Persistence;
using RecSys.Engine.Models.TwoTower;
using RecSys.Engine.Pipeline.Serving;

namespace RecSys.Engine.Pipeline.Registry;

/// <summary>
/// Makes registry versions from interactions:
/// <code>
///   Train    the models (TrainedModels.Train: ALS, content, popularity and trending by segment, sequence neighbours) -> Write
///   Write    catalog/   the training set's id map and key tables (ServingBootstrap.NewCatalog: what the store is seeded with)
///            models/    each model through ModelStore (its own directory, manifest, id and vector files)
///            indexes/   the CF and content indexes built from the models, each saved by its Save
///            models/twotower + indexes/twotower   the two-tower model (when given) and the index of its item vectors
///            ranker/, towers/   the given .onnx files, copied; a two-tower model's towers exported to ONNX when none are given
///            manifest.json      last: training summary, metrics, every file's size and SHA-256
/// </code>
/// Every file goes through the durable-file helper; a build that fails or is cancelled leaves no version.
/// </summary>
public static class VersionBuilder
{
    public static RegistryVersion Train(ModelRegistry registry, TrainingData data, VersionBuildOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new VersionBuildOptions();
        return Write(registry, data, TrainedModels.Train(data, options.Settings, cancellationToken), options, cancellationToken);
    }

    /// <summary>A version of models trained on <paramref name="data"/> (their ordinals are its user and item ordinals).</summary>
    public static RegistryVersion Write(ModelRegistry registry, TrainingData data, TrainedModels models, VersionBuildOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(models);
        options ??= new VersionBuildOptions();
        CheckFits(data, models);
        using var writer = registry.BeginVersion(options.Id);
        var catalog = ServingBootstrap.NewCatalog(data, models.Popularity, models.Trending, 0);
        catalog.Items.Save(writer.DirectoryOf(VersionPaths.Catalog));
        var keys = new Dictionary<string, string>
        {
            ["categories"] = catalog.Categories.Save(writer.DirectoryOf(VersionPaths.Catalog), "categories"),
            ["segments"] = catalog.Segments.Save(writer.DirectoryOf(VersionPaths.Catalog), "segments"),
        };
        var users = data.Events.Users;
        var items = data.Events.Items;
        var modelDirs = new Dictionary<string, string>();
        var indexes = new Dictionary<string, IndexEntry>();
        if (models.Als is { } als)
        {
            ModelStore.SaveAls(als, users, items, writer.DirectoryOf(modelDirs["als"] = VersionPaths.Models + "/als"));
            cancellationToken.ThrowIfCancellationRequested();
            indexes["cf"] = SaveIndex(writer, "cf", options.CfIndex, options, als.Factors, DistanceMetric.InnerProduct, als.ItemFactors);
        }
        if (models.Content is { } content)
        {
            ModelStore.SaveContent(content, items, writer.DirectoryOf(modelDirs["content"] = VersionPaths.Models + "/content"));
            cancellationToken.ThrowIfCancellationRequested();
            indexes["content"] = SaveIndex(writer, "content", options.ContentIndex, options, content.Dimension, DistanceMetric.Cosine, content.ItemVectors);
        }
        if (models.Popularity is { } popularity)
            ModelStore.SavePopularity(popularity, users, items, writer.DirectoryOf(modelDirs["popularity"] = VersionPaths.Models + "/popularity"));
        if (models.Trending is { } trending)
            ModelStore.SavePopularity(trending, users, items, writer.DirectoryOf(modelDirs["trending"] = VersionPaths.Models + "/trending"));
        if (models.Sequence is { } sequence)
            ModelStore.SaveItemKnn(sequence, items, writer.DirectoryOf(modelDirs["sequence"] = VersionPaths.Models + "/sequence"));
        cancellationToken.ThrowIfCancellationRequested();
        var towers = new Dictionary<string, string>();
        if (models.TwoTower is { } twoTower)
        {
            ModelStore.SaveTwoTower(twoTower, items, writer.DirectoryOf(modelDirs["twotower"] = VersionPaths.Models + "/twotower"));
            cancellationToken.ThrowIfCancellationRequested();
            indexes["twotower"] = SaveIndex(writer, "twotower", options.TwoTowerIndex, options, twoTower.Dimension, DistanceMetric.Cosine, twoTower.ItemVectors);
            foreach (var kind in new[] { TowerKind.User, TowerKind.Item })
            {
                // The exports, with their schema beside them: what the server runs on ONNX Runtime.
                string relative = VersionPaths.Towers + "/" + TwoTowerOnnxExporter.FileName(kind);
                TwoTowerOnnxExporter.Save(twoTower, kind, writer.PathOf(relative));
                towers[kind == TowerKind.User ? "user" : "item"] = relative;
            }
        }
        if (options.UserTowerFile is not null)
            towers["user"] = writer.CopyIn(options.UserTowerFile, VersionPaths.Towers + "/user.onnx");
        if (options.ItemTowerFile is not null)
            towers["item"] = writer.CopyIn(options.ItemTowerFile, VersionPaths.Towers + "/item.onnx");
        return writer.Commit(new VersionManifest
        {
            Id = writer.Id,
            CreatedAt = DateTimeOffset.UtcNow,
            Description = options.Description,
            Training = Summarize(data, options.Source),
            Items = catalog.Items.Count,
            Catalog = keys,
            Models = modelDirs,
            Indexes = indexes,
            Ranker = options.RankerFile is null ? null : writer.CopyIn(options.RankerFile, VersionPaths.Ranker),
            Towers = towers,
            Metrics = new Dictionary<string, double>(options.Metrics),
        });
    }

    private static IndexEntry SaveIndex(VersionWriter writer, string role, string spec, VersionBuildOptions options, int dimension, DistanceMetric metric, ReadOnlySpan<float> rows)
    {
        string path = VersionPaths.Indexes + "/" + role;
        using var index = ServingBootstrap.BuildIndex(spec, options.Build, dimension, metric, rows);
        index.Save(writer.DirectoryOf(path));
        return new IndexEntry(Core.Index.Factory.IndexSpec.Parse(spec).ToString(), path);
    }

    private static void CheckFits(TrainingData data, TrainedModels models)
    {
        if (models.Als is { } als && (als.ItemCount != data.ItemCount || als.UserCount != data.UserCount))
            throw new ArgumentException($"the ALS model has {als.UserCount} users x {als.ItemCount} items, the data {data.UserCount} x {data.ItemCount}", nameof(models));
        if (models.Content is { } content && content.ItemCount != data.ItemCount)
            throw new ArgumentException($"the content model has {content.ItemCount} items, the data {data.ItemCount}", nameof(models));
        if (models.Content is { Vocabulary: null })
            throw new ArgumentException("the content model has no vocabulary: items added while serving could not be encoded", nameof(models));
        if (models.TwoTower is { } twoTower && twoTower.ItemCount != data.ItemCount)
            throw new ArgumentException($"the two-tower model has {twoTower.ItemCount} items, the data {data.ItemCount}", nameof(models));
        if (models.Sequence is { } sequence && sequence.ItemCount != data.ItemCount)
            throw new ArgumentException($"the sequence model has {sequence.ItemCount} items, the data {data.ItemCount}", nameof(models));
        foreach (var p in new[] { models.Popularity, models.Trending })
        {
            if (p is not null && p.ItemCount != data.ItemCount)
                throw new ArgumentException($"the {p.Name} model has {p.ItemCount} items, the data {data.ItemCount}", nameof(models));
        }
    }

    private static TrainingSummary Summarize(TrainingData data, string source)
    {
        var times = data.Events.Timestamps;
        return new TrainingSummary
        {
            Users = data.UserCount,
            Items = data.ItemCount,
            Events = data.Events.Count,
            FirstEventAt = times.Length == 0 ? 0 : times.Min(),
            LastEventAt = times.Length == 0 ? 0 : times.Max(),
            Source = source,
        };
    }
}
