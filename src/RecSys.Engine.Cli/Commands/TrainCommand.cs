using System.CommandLine;
using System.Globalization;
using RecSys.Engine.Core.Index.Factory;
using RecSys.Engine.Core.Validation;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Pipeline.Registry;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys train</c>: interactions in, a registry version out (VersionBuilder.Train: ALS, content when the data has
/// item metadata, popularity and trending by segment; the CF and content indexes; manifest with every file's SHA-256).
/// The version is not activated: ActivateModel (Admin) or a first <c>ServingState.CreateAsync</c> does that.
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
        var seed = new Option<ulong>("--seed") { Description = "ALS seed.", DefaultValueFactory = _ => defaults.Als.Seed };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Skip (and count) bad rows instead of failing." };

        var command = new Command("train", "Train the serving models on interactions and write them, with their indexes, as a new model registry version.");
        foreach (var o in new Option[] { data, format, registry, id, description, cfIndex, contentIndex, factors, iterations, seed, skipBad })
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
            };
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

            string path = parse.GetValue(data)!;
            var set = InteractionInput.Load(path, parse.GetValue(format)!, parse.GetValue(skipBad), stderr);
            stdout.WriteLine($"data: {set.Count} interactions, {set.UserCount} users, {set.ItemCount} items ({parse.GetValue(format)})");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            stderr.WriteLine($"training ALS ({settings.Als.Factors} factors, {settings.Als.Iterations} sweeps){(set.Catalog is null ? "" : ", content")}, popularity, trending; building {cf} and {content} ...");
            var version = VersionBuilder.Train(target, new TrainingData(set), new VersionBuildOptions
            {
                Id = versionId,
                Description = parse.GetValue(description)!,
                Source = $"{parse.GetValue(format)} {Path.GetFullPath(path)}",
                Settings = settings,
                CfIndex = cf,
                ContentIndex = content,
            });
            var m = version.Manifest;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote version '{version.Id}' in {clock.Elapsed.TotalSeconds:F1} s: {m.Items} items, models {string.Join(", ", m.Models.Keys)}, indexes {string.Join(", ", m.Indexes.Select(i => $"{i.Key} {i.Value.Spec}"))}, {m.Files.Count} files"));
            stdout.WriteLine($"registry: {target.Directory} (active: {target.ActiveId ?? "none"}; activate with the Admin ActivateModel call)");
            return CliRunner.ExitOk;
        });
        return command;
    }
}
