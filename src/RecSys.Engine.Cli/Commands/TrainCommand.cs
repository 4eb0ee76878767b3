using System.CommandLine;
using System.Globalization;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Validation;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Pipeline.Config;
using RecSys.Engine.Pipeline.Ranking;
using RecSys.Engine.Pipeline.Registry;
using RecSys.Engine.Pipeline.Serving;
using RecSys.Engine.Ranking.Onnx;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys train</c>: interactions in, a registry version out (VersionBuilder.Train: ALS, content when the data has
/// item metadata, popularity and trending by segment; the CF and content indexes; manifest with every file's SHA-256),
/// with a learned ranker (ServedRankerTrainer: rows from the serving pipeline's own sources, exported to ONNX).
/// <code>
///   --ranker    mlp (default) | gbdt | none: the ranker file the version ships; none serves rank fusion
///   --ranker-gate on (default) | off: on ships the trained ranker only when its validation NDCG beats rank fusion's
///               on the same validation requests (otherwise the version serves rank fusion and says why); off ships it
///   (default)   the version is written, not activated: ActivateModel (Admin) on a running server swaps to it
///   --activate  ACTIVE points at it (what `recsys serve` serves on its next start)
///   --store DIR the first version of a registry: the FASTER feature store in DIR seeded with the data (items, users,
///               histories) and the version activated (ServingState.CreateAsync): `recsys serve` can start on it
/// </code>
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new ModelSettings();
        var build = new VersionBuildOptions();
        var data = new Option<string>("--data") { Description = "Data: a directory (ml100k, mlcsv) or a CSV file user,item,value,timestamp (csv).", Required = true };
        var format = new Option<string>("--format") { Description = InteractionInput.FormatHelp, DefaultValueFactory = _ => "ml100k" };
        var registry = new Option<string>("--registry") { Description = "The model registry directory (created when missing).", Required = true };
        var id = new Option<string?>("--id") { Description = "The version id (letters, digits, '.', '_', '-'; default a fresh one from the clock)." };
        var description = new Option<string>("--description") { Description = "A line describing the version.", DefaultValueFactory = _ => "" };
        var cfIndex = new Option<string>("--cf-index") { Description = $"Index over the ALS item factors, a factory string (default {build.CfIndex}).", DefaultValueFactory = _ => build.CfIndex };
        var contentIndex = new Option<string>("--content-index") { Description = $"Index over the content vectors (default {build.ContentIndex}).", DefaultValueFactory = _ => build.ContentIndex };
        var factors = new Option<int?>("--factors") { Description = $"ALS factors (default {defaults.Als.Factors})." };
        var iterations = new Option<int?>("--iterations") { Description = $"ALS sweeps (default {defaults.Als.Iterations})." };
        var sequenceNeighbors = new Option<int?>("--sequence-neighbors")
        {
            Description = $"Neighbours per item of the sequence model ('watched next'; default {defaults.SequenceNeighbors}). 0 = none: no default surface lists it, "
                + "and it saves its fit and files (about 9 s and 356 MB at 1M items); a surface that lists 'sequence' then fails to load with this version.",
        };
        var seed = new Option<ulong>("--seed") { Description = "ALS seed.", DefaultValueFactory = _ => defaults.Als.Seed };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Skip (and count) bad rows instead of failing." };
        var activate = new Option<bool>("--activate") { Description = "Point the registry's ACTIVE at the new version (served on the next start)." };
        var ranker = new Option<string>("--ranker") { Description = "The learned ranker the version ships: mlp, gbdt or none (rank fusion).", DefaultValueFactory = _ => "mlp" };
        var rankerGate = new Option<string>("--ranker-gate")
        {
            Description = "on: ship the ranker only if its validation NDCG@10 beats rank fusion's on the same requests; off: ship it regardless.",
            DefaultValueFactory = _ => "on",
        };
        var store = new Option<string?>("--store") { Description = "First version only: seed the feature store in this directory with the data (items, users, histories) and activate the version, ready for `recsys serve`." };

        var command = new Command("train", "Train the serving models on interactions and write them, with their indexes, as a new model registry version.");
        foreach (var o in new Option[] { data, format, registry, id, description, cfIndex, contentIndex, factors, iterations, sequenceNeighbors, seed, skipBad, activate, store, ranker, rankerGate })
            command.Add(o);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            var settings = defaults with
            {
                Als = defaults.Als with
                {
                    Factors = parse.GetValue(factors) ?? defaults.Als.Factors,
                    Iterations = parse.GetValue(iterations) ?? defaults.Als.Iterations,
                    Seed = parse.GetValue(seed),
                },
                SequenceNeighbors = parse.GetValue(sequenceNeighbors) ?? defaults.SequenceNeighbors,
            };
            if (settings.SequenceNeighbors < 0)
                throw new CliInputException($"--sequence-neighbors must be >= 0 (got {settings.SequenceNeighbors})");
            try
            {
                settings.Als.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new CliInputException($"--{e.ParamName?.ToLowerInvariant()}: {ArgumentReason.Of(e)}");
            }
            string? versionId = parse.GetValue(id);
            if (versionId is not null)
                OptionRules.Check("--id", () => ModelRegistry.CheckId(versionId));
            string cf = OptionRules.Check("--cf-index", () => IndexSpec.Parse(parse.GetValue(cfIndex)!).ToString());
            string content = OptionRules.Check("--content-index", () => IndexSpec.Parse(parse.GetValue(contentIndex)!).ToString());
            var target = OptionRules.Check("--registry", () => ModelRegistry.Open(parse.GetValue(registry)!));
            if (versionId is not null && target.TryGet(versionId, out _))
                throw new CliInputException($"--id: registry {target.Directory} has a version '{versionId}' already");
            string? storeDirectory = parse.GetValue(store);
            if (storeDirectory is not null && target.ActiveId is { } serving)
                throw new CliInputException($"--store: registry {target.Directory} serves version '{serving}' already (its store is seeded); activate the new version with ActivateModel instead");
            if (storeDirectory is not null && Directory.Exists(storeDirectory) && Directory.EnumerateFileSystemEntries(storeDirectory).Any())
                throw new CliInputException($"--store: '{storeDirectory}' is not empty (a new feature store is seeded there)");

            RankerKind? rankerKind = parse.GetValue(ranker) switch
            {
                "mlp" => RankerKind.Mlp,
                "gbdt" => RankerKind.Gbdt,
                "none" => null,
                var other => throw new CliInputException($"--ranker must be mlp, gbdt or none (got '{other}')"),
            };

            bool gate = parse.GetValue(rankerGate) switch
            {
                "on" => true,
                "off" => false,
                var other => throw new CliInputException($"--ranker-gate must be on or off (got '{other}')"),
            };

            string path = parse.GetValue(data)!;
            var set = InteractionInput.Load(path, parse.GetValue(format)!, parse.GetValue(skipBad), stderr);
            stdout.WriteLine($"data: {set.Count} interactions, {set.UserCount} users, {set.ItemCount} items ({parse.GetValue(format)})");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            stderr.WriteLine($"training ALS ({settings.Als.Factors} factors, {settings.Als.Iterations} sweeps){(set.Catalog is null ? "" : ", content")}, popularity, trending{(settings.SequenceNeighbors > 0 ? ", sequence" : "")}; building {cf} and {content} ...");
            var training = new TrainingData(set);
            VersionBuildOptions buildOptions = new()
            {
                Id = versionId,
                Description = parse.GetValue(description)!,
                Source = $"{parse.GetValue(format)} {Path.GetFullPath(path)}",
                Settings = settings,
                CfIndex = cf,
                ContentIndex = content,
            };
            // The ranker file is copied into the version; its training directory goes when the command ends.
            RegistryVersion version;
            string? rankerDirectory = rankerKind is null ? null : Directory.CreateTempSubdirectory("recsys-train-ranker-").FullName;
            try
            {
                if (rankerKind is { } kind)
                {
                    var trained = TrainRanker(training, settings, kind, cf, content, Path.Combine(rankerDirectory!, "ranker.onnx"), stderr);
                    bool ship = trained.BeatsFusion || !gate;
                    buildOptions = buildOptions with
                    {
                        RankerFile = ship ? trained.Path : null,
                        Metrics = new Dictionary<string, double>
                        {
                            ["ranker_validation_ndcg@10"] = trained.ValidationNdcg,
                            ["rank_fusion_validation_ndcg@10"] = trained.FusionNdcg,
                        },
                    };
                    string verdict = trained.BeatsFusion ? "" : ship
                        ? "; shipped although it does not beat rank fusion (--ranker-gate off)"
                        : "; not shipped: it does not beat rank fusion, so the version serves rank fusion (--ranker-gate off ships it anyway)";
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"ranker: {trained.KindName} v{trained.Schema.Version}, {trained.Schema.Count} features over sources {string.Join(", ", trained.Schema.Sources)}; "
                        + $"trained on {trained.Rows} candidates of {trained.Queries} requests, validation NDCG@10 {trained.ValidationNdcg:F3}, rank fusion {trained.FusionNdcg:F3}{verdict}"));
                }
                if (storeDirectory is null)
                {
                    version = VersionBuilder.Train(target, training, buildOptions);
                    if (parse.GetValue(activate))
                        target.SetActive(version.Id);
                }
                else
                {
                    version = SeedAndActivate(target, storeDirectory, training, buildOptions);
                }
            }
            finally
            {
                if (rankerDirectory is not null)
                    Directory.Delete(rankerDirectory, recursive: true);
            }
            var m = version.Manifest;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote version '{version.Id}' in {clock.Elapsed.TotalSeconds:F1} s: {m.Items} items, models {string.Join(", ", m.Models.Keys)}, indexes {string.Join(", ", m.Indexes.Select(i => $"{i.Key} {i.Value.Spec}"))}, {m.Files.Count} files"));
            stdout.WriteLine(target.ActiveId == version.Id
                ? $"registry: {target.Directory}; '{version.Id}' is active{(storeDirectory is null ? "" : $"; feature store seeded in {storeDirectory}")}"
                : $"registry: {target.Directory} (active: {target.ActiveId ?? "none"}; activate with --activate, or the Admin ActivateModel call on a running server)");
            return CliRunner.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// The ranker of the version, on the serving pipeline's own candidates for held-out events (the config the server
    /// runs, the version's index specs). A failure is exit 2 naming --ranker: the user asked for this ranker.
    /// </summary>
    private static ServedRanker TrainRanker(TrainingData data, ModelSettings settings, RankerKind kind, string cfIndex, string contentIndex, string path, TextWriter stderr)
    {
        string name = kind.ToString().ToLowerInvariant();
        stderr.WriteLine($"training the {name} ranker on the serving pipeline's candidates for held-out events ...");
        var options = new ServedRankerOptions { Kind = kind, CfIndex = cfIndex, ContentIndex = contentIndex, Seed = settings.Als.Seed };
        try
        {
            return ServedRankerTrainer.TrainAsync(data, settings, models => PipelineDefaults.Config(models), path, options).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException)
        {
            throw new CliInputException($"--ranker {name}: training failed: {e.Message} (--ranker none writes the version without a learned ranker)");
        }
    }

    /// <summary>The first start of a registry, as a server makes it: version written, store seeded, version activated; then closed (saved).</summary>
    private static RegistryVersion SeedAndActivate(ModelRegistry registry, string storeDirectory, TrainingData data, VersionBuildOptions build)
    {
        // The ranker is loaded as the server loads it (on the CPU: this only checks that it can be served).
        var options = new ServingStateOptions
        {
            Load = new VersionLoadOptions { RankerLoader = new OnnxRankerLoader(new OnnxRankerOptions { ExecutionProvider = OnnxExecutionProvider.Cpu }) },
        };
        var state = ServingState.CreateAsync(registry.Directory, storeDirectory, data, build: build, options: options).GetAwaiter().GetResult();
        try
        {
            return registry.Get(state.ActiveVersionId);
        }
        finally
        {
            state.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
