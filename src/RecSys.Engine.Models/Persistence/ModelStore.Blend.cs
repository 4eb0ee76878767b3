using System.Globalization;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Blend;
using RecSys.Engine.Models.Content;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Popularity;

namespace RecSys.Engine.Models.Persistence;

public static partial class ModelStore
{
    /// <summary>Any saveable model into <paramref name="directory"/>, by its type.</summary>
    public static void Save(IRecommender model, IdMap users, IdMap items, string directory)
    {
        switch (model)
        {
            case ImplicitAls als: SaveAls(als, users, items, directory); break;
            case Ease ease: SaveEase(ease, items, directory); break;
            case ContentEncoder content: SaveContent(content, items, directory); break;
            case ItemKnn knn: SaveItemKnn(knn, items, directory); break;
            case PopularityModel popularity: SavePopularity(popularity, users, items, directory); break;
            case RankFusion blend: SaveBlend(blend, users, items, directory); break;
            default: throw new NotSupportedException($"no model directory format for '{model.Name}' ({model.GetType().Name})");
        }
    }

    /// <summary>
    /// Any saved model, by the kind in its manifest. Users is null for kinds that keep no per-user state.
    /// Models that score from histories (<see cref="IHistoryScorer"/>) need them attached before Score(user).
    /// </summary>
    public static (IRecommender Model, IdMap? Users, IdMap Items) Load(string directory)
    {
        var m = ReadManifest(directory);
        switch (m.Kind)
        {
            case "als": { var (model, users, items) = LoadAls(directory); return (model, users, items); }
            case "ease": { var (model, items) = LoadEase(directory); return (model, null, items); }
            case "content": { var (model, items) = LoadContent(directory); return (model, null, items); }
            case "itemknn": { var (model, items) = LoadItemKnn(directory); return (model, null, items); }
            case "popularity": { var (model, users, items) = LoadPopularity(directory); return (model, users, items); }
            case "blend": { var (model, users, items) = LoadBlend(directory); return (model, users, items); }
            default: throw new InvalidDataException($"{m.SourcePath}: unknown model kind '{m.Kind}'");
        }
    }

    /// <summary>
    /// The blend: its configuration (depth, c, one weight per source) in the manifest and each source saved
    /// whole in a subdirectory (source-0-als, source-1-ease, ...), so a loaded blend needs nothing else.
    /// </summary>
    public static void SaveBlend(RankFusion blend, IdMap users, IdMap items, string directory)
    {
        DurableFile.CreateDirectory(directory);
        var files = new Dictionary<string, string>
        {
            ["users"] = IdMapFile.Write(directory, "users", users),
            ["items"] = IdMapFile.Write(directory, "items", items),
        };
        for (int s = 0; s < blend.Sources.Count; s++)
        {
            string sub = $"source-{s}-{blend.Sources[s].Source.Name}";
            Save(blend.Sources[s].Source, users, items, Path.Combine(directory, sub));
            files[$"source_{s}"] = sub;
        }
        WriteManifest(directory, new ModelManifest
        {
            Kind = "blend",
            Users = users.Count,
            Items = blend.ItemCount,
            Dimension = 0,
            Parameters = new()
            {
                ["depth"] = Str(blend.Depth),
                ["c"] = Str(blend.C),
                ["sources"] = Str(blend.Sources.Count),
                ["weights"] = string.Join(",", blend.Sources.Select(s => Str(s.Weight))),
            },
            Files = files,
        });
    }

    /// <summary>A restored blend; call <see cref="RankFusion.AttachHistories"/> before Score(user).</summary>
    public static (RankFusion Model, IdMap Users, IdMap Items) LoadBlend(string directory)
    {
        var m = ReadManifest(directory, "blend");
        int count = Int(m, "sources");
        string[] weights = Get(m, "weights").Split(',');
        if (count < 1 || weights.Length != count)
            throw new InvalidDataException($"{m.SourcePath}: {count} sources but {weights.Length} weights ('{Get(m, "weights")}')");
        var sources = new List<BlendSource>(count);
        for (int s = 0; s < count; s++)
        {
            if (!float.TryParse(weights[s], NumberStyles.Float, CultureInfo.InvariantCulture, out float w) || !float.IsFinite(w))
                throw new InvalidDataException($"{m.SourcePath}: weight {s} ('{weights[s]}') is not a number");
            string sub = Path.Combine(directory, FileOf(m, directory, $"source_{s}"));
            var (model, _, items) = Load(sub);
            if (items.Count != m.Items)
                throw new InvalidDataException($"{Path.Combine(sub, ModelManifest.FileName)}: source has {items.Count} items, the blend {m.Items}");
            sources.Add(new BlendSource(model, w));
        }
        RankFusion blend;
        try
        {
            blend = new RankFusion(sources, Int(m, "depth"), Float(m, "c"), fitSources: false);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{m.SourcePath}: {e.Message}", e);
        }
        blend.Restore(m.Items);
        return (blend, IdMapFile.Read(directory, FileOf(m, directory, "users"), m.Users), IdMapFile.Read(directory, FileOf(m, directory, "items"), m.Items));
    }
}
