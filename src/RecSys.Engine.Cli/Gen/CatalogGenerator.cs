using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using RecSys.Engine.Cli.Demo;
using RecSys.Engine.Core.Files;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Features.Faster;
using RecSys.Engine.Models.Als;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Neighbors;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Ranking;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Pipeline.Sources;
using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Cli.Gen;

/// <summary>
/// Writes a generated catalog that <c>recsys serve --config DIR/serve.json</c> serves with no training step:
/// <code>
///   1 data       SyntheticCatalog: item and user vectors (the SYNTHETIC.md recipe, normalised), categories, publish
///                times, demographics, histories
///   2 models     ALS over the generated vectors (no training: item factors = item vectors, user factors = user
///                vectors), popularity and trending fitted on the histories (TrainedModels.FitPopularity), and the
///                sequence neighbours (adjacency in the histories)
///   3 version    the first of the versions, the registry's own builder and first start (ServingState.CreateAsync):
///                version written (its CF index built), FASTER store seeded (items, profiles, histories and counters),
///                ACTIVE set, opened once (what a server does), saved (catalog snapshot, store checkpoint)
///   4 versions   the others (--index both: the IVF-PQ one), VersionBuilder.Write, not activated: ActivateModel swaps
///   5 config     serve.json (API keys made here), then gen.json last: a directory without it is an interrupted run
/// </code>
/// Crash safety is the registry's and the store's: a version without its manifest is never listed, the store is
/// seeded before ACTIVE names the version, and gen.json is written durably last.
/// </summary>
internal static class CatalogGenerator
{
    public const string RegistryName = "registry";
    public const string StoreName = "store";
    public const string ServeConfigName = "serve.json";
    public const string SummaryName = "gen.json";

    /// <summary>Where <c>--ranker</c> trains its model before each version copies it in; gone when the run ends well.</summary>
    private const string RankerScratchName = "ranker-training";

    /// <summary>Generates the catalog; returns the summary written to gen.json (the API keys are in serve.json).</summary>
    public static async Task<JsonObject> RunAsync(CatalogGenSettings settings, TextWriter log, CancellationToken cancellationToken = default)
    {
        var steps = new StepClock(log, 2 + settings.Versions.Count + (settings.Ranker is null ? 0 : 1));
        string root = Path.GetFullPath(settings.OutputDirectory);
        DurableFile.CreateDirectory(root);
        string registry = Path.Combine(root, RegistryName), store = Path.Combine(root, StoreName);

        var catalog = await steps.RunAsync($"generating {settings.Items:N0} items x {settings.Dimension} and {settings.Users:N0} users with {settings.History} events each",
            progress => Task.Run(() => new SyntheticCatalog(settings.Items, settings.Users, settings.Dimension, settings.Seed, settings.History, settings.EndSeconds, progress), cancellationToken)).ConfigureAwait(false);
        var data = catalog.Data;
        var models = await steps.RunAsync("fitting popularity, trending and sequence neighbours on the histories", () => Task.Run(() =>
        {
            var als = ImplicitAls.FromFactors(new AlsOptions { Factors = settings.Dimension, Seed = settings.Seed }, catalog.UserVectors, catalog.ItemVectors, data.UserCount, data.ItemCount);
            var (popularity, trending) = TrainedModels.FitPopularity(data);
            var sequence = (ItemKnn)ModelFactory.Create(ModelKind.Sequence, new ModelSettings());
            sequence.Fit(data);
            return new TrainedModels { Als = als, Popularity = popularity, Trending = trending, Sequence = sequence };
        }, cancellationToken)).ConfigureAwait(false);

        // The ranker is trained into the output directory and copied into each version from there; an interrupted run
        // leaves it with the rest (the directory then has no gen.json, and the command asks for it to be deleted).
        ServedRanker? ranker = null;
        if (settings.Ranker is { } kind)
        {
            int sample = settings.RankerSampleSize;
            ranker = await steps.RunAsync($"training the {kind.ToString().ToLowerInvariant()} ranker on a generated sample of {sample:N0} items x {sample:N0} users (the serving pipeline's candidates for held-out events)",
                () => TrainRankerAsync(settings, kind, sample, Path.Combine(root, RankerScratchName, "ranker.onnx"), cancellationToken)).ConfigureAwait(false);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ranker: {ranker.Description}; validation NDCG@10 {ranker.ValidationNdcg:F4} against rank fusion's {ranker.FusionNdcg:F4} (on the sample; shipped either way: a generated catalog serves it to measure its cost)"));
        }
        var storeOptions = StoreOptionsFor(settings);
        var build = new IndexBuildSettings { Threads = settings.Threads };
        string source = string.Create(CultureInfo.InvariantCulture,
            $"recsys gen catalog: {settings.Items} items x {settings.Dimension}, {settings.Users} users x {settings.History} events, seed {settings.Seed}, end {settings.EndSeconds}");
        VersionBuildOptions BuildOf((string Id, string Spec) v) => new()
        {
            Id = v.Id,
            Description = $"generated catalog, CF index {v.Spec}",
            Source = source,
            CfIndex = v.Spec,
            Build = build,
            RankerFile = ranker?.Path,
        };
        var first = settings.Versions[0];
        await steps.RunAsync($"version '{first.Id}': building {first.Spec} over the item vectors, seeding the feature store, opening it", async () =>
        {
            var options = new ServingStateOptions
            {
                Store = storeOptions with { DataDirectory = store },
                Seed = new BootstrapOptions { PublishedAtMs = catalog.PublishedAtMs, Build = build },
                Load = new VersionLoadOptions { RankerLoader = CpuRankerLoader.Shared },
            };
            await using var state = await ServingState.CreateAsync(registry, store, data, models, BuildOf(first), options, cancellationToken).ConfigureAwait(false);
            return state.ActiveVersionId;
        }).ConfigureAwait(false);
        foreach (var v in settings.Versions.Skip(1))
        {
            await steps.RunAsync($"version '{v.Id}': building {v.Spec} over the item vectors", () => Task.Run(() =>
                VersionBuilder.Write(ModelRegistry.Open(registry), data, models, BuildOf(v), cancellationToken), cancellationToken)).ConfigureAwait(false);
        }

        DurableFile.WriteAllBytes(Path.Combine(root, ServeConfigName), ServeConfigJson(storeOptions));
        var summary = new JsonObject
        {
            ["format"] = "recsys-gen-catalog",
            ["items"] = settings.Items,
            ["users"] = settings.Users,
            ["dimension"] = settings.Dimension,
            ["seed"] = settings.Seed,
            ["history"] = settings.History,
            ["events"] = data.Events.Count,
            ["end_seconds"] = settings.EndSeconds,
            ["item_ids"] = $"1..{settings.Items}",
            ["user_ids"] = $"1..{settings.Users}",
            ["versions"] = new JsonArray([.. settings.Versions.Select(v => (JsonNode)new JsonObject { ["id"] = v.Id, ["cf_index"] = v.Spec })]),
            ["active"] = first.Id,
            ["registry"] = RegistryName,
            ["store"] = StoreName,
            ["serve_config"] = ServeConfigName,
            ["ranker"] = ranker is null ? null : new JsonObject
            {
                ["kind"] = ranker.KindName,
                ["description"] = ranker.Description,
                ["features"] = ranker.Schema.Count,
                ["sample"] = settings.RankerSampleSize,
                ["validation_ndcg@10"] = Math.Round(ranker.ValidationNdcg, 4),
                ["fusion_ndcg@10"] = Math.Round(ranker.FusionNdcg, 4),
            },
            ["seconds"] = Math.Round(steps.Elapsed.TotalSeconds, 1),
        };
        if (ranker is not null)
            Directory.Delete(Path.Combine(root, RankerScratchName), recursive: true); // every version holds its own copy now
        DurableFile.WriteAllBytes(Path.Combine(root, SummaryName), JsonSerializer.SerializeToUtf8Bytes(summary, new JsonSerializerOptions { WriteIndented = true }));
        return summary;
    }

    /// <summary>
    /// The ranker, trained as <c>recsys train</c> trains one (<see cref="ServedRankerTrainer"/>: ALS and the other models fitted
    /// on the sample, the pipeline's own candidates labelled by held-out events), on a smaller catalog from the same generator
    /// and seed. The generated versions have no content model, so the sample's pipeline runs without the content sources:
    /// the ranker's schema then names only sources the generated versions run. (The loader would take a content source,
    /// which is a built-in one, but its features would read "retrieved nothing" on every served request, unlike in training.)
    /// </summary>
    private static async Task<ServedRanker> TrainRankerAsync(CatalogGenSettings settings, RankerKind kind, int sample, string path, CancellationToken cancellationToken)
    {
        var small = new SyntheticCatalog(sample, sample, settings.Dimension, settings.Seed, settings.History, settings.EndSeconds);
        // The sample's own CF index only finds the training candidates; an IVF-PQ-only catalog trains over HNSW (the
        // trainer's default), which gives the same features.
        string cfIndex = settings.Versions[0].Spec.StartsWith("HNSW", StringComparison.OrdinalIgnoreCase) ? settings.Versions[0].Spec : new ServedRankerOptions().CfIndex;
        var options = new ServedRankerOptions { Kind = kind, CfIndex = cfIndex, PublishedAtMs = small.PublishedAtMs, Seed = settings.Seed };
        try
        {
            return await ServedRankerTrainer.TrainAsync(small.Data, new ModelSettings { Als = new AlsOptions { Seed = settings.Seed } },
                models => WithoutContent(PipelineDefaults.Config(models)), path, options, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // Too little data to train on (too few users reach the ranking stage, no split found): the user asked for it.
            throw new CliInputException($"--ranker: no ranker could be trained on the sample of {sample:N0} items x users: {e.Message}");
        }
    }

    private static PipelineConfig WithoutContent(PipelineConfig config) => config with
    {
        Surfaces = [.. config.Surfaces.Select(s => s with { Sources = [.. s.Sources.Where(x => x.Name is not (SourceNames.Content or SourceNames.SimilarContent))] })],
    };

    /// <summary>
    /// The store sized for the catalog, the same for seeding and serving (serve.json carries it): the hash index at about
    /// six keys a bucket (per user a profile and a history; per item its record, a counter and up to 12 segment counters),
    /// the log's memory part sized to the histories and counters, up to 1 GiB (past it the oldest records are read from
    /// the log files, through the page cache).
    /// </summary>
    internal static FasterFeatureStoreOptions StoreOptionsFor(CatalogGenSettings settings)
    {
        long events = (long)settings.Users * settings.History;
        long keys = 2L * settings.Users + settings.Items * (2L + Math.Min(12L, Math.Max(1L, events / settings.Items)));
        long buckets = Math.Max(1L << 18, (long)BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1L, keys / 6)));
        long bytes = events * 48 + settings.Items * 600L;
        // At most 1 GiB: a 1M catalog's server also holds the ALS factors, the indexes and, during a swap, two versions.
        long budget = Math.Clamp((long)BitOperations.RoundUpToPowerOf2((ulong)bytes), 256L << 20, 1L << 30);
        return new FasterFeatureStoreOptions { DataDirectory = "-", IndexBuckets = buckets, MemoryBudgetBytes = budget };
    }

    /// <summary>The store options serve.json of the generated directory <paramref name="root"/> names (sizes), for opening its store in-process.</summary>
    internal static FasterFeatureStoreOptions ReadStoreOptions(string root)
    {
        using var serve = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(root, ServeConfigName)));
        var fs = serve.RootElement.GetProperty("Serving").GetProperty("FeatureStore");
        return new FasterFeatureStoreOptions
        {
            DataDirectory = Path.Combine(root, fs.GetProperty("DataDirectory").GetString()!),
            MemoryBudgetBytes = fs.GetProperty("MemoryBudgetBytes").GetInt64(),
            IndexBuckets = fs.GetProperty("IndexBuckets").GetInt64(),
        };
    }

    private static byte[] ServeConfigJson(FasterFeatureStoreOptions store)
    {
        static string NewKey() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var config = new JsonObject
        {
            ["Server"] = new JsonObject
            {
                ["Port"] = 50051,
                ["Auth"] = new JsonObject
                {
                    ["Keys"] = new JsonArray(
                        new JsonObject { ["Name"] = "app", ["Key"] = NewKey(), ["Roles"] = new JsonArray("Read", "Write") },
                        new JsonObject { ["Name"] = "ops", ["Key"] = NewKey(), ["Roles"] = new JsonArray("Admin") }),
                },
            },
            ["Serving"] = new JsonObject
            {
                ["RegistryDirectory"] = RegistryName,
                ["FeatureStore"] = new JsonObject
                {
                    ["Backend"] = "Faster",
                    ["DataDirectory"] = StoreName,
                    ["MemoryBudgetBytes"] = store.MemoryBudgetBytes,
                    ["IndexBuckets"] = store.IndexBuckets,
                },
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(config, new JsonSerializerOptions { WriteIndented = true });
    }
}
