using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RecSys.Engine.Core.Validation;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Cli.Commands;

/// <summary>
/// <c>recsys eval</c>: loads interactions, splits them (random per user or temporal), optionally tunes the
/// hyper-parameters on a validation split carved out of the training part, trains every named model,
/// and prints one row of metrics per model (JSON with --json). Deterministic by --seed.
/// </summary>
internal static class EvalCommand
{
    /// <summary>
    /// Validation splits <c>--tune</c> scores each setting on under a random split. One, as before the option: on
    /// MovieLens 100K, 3 or 5 splits chose differently but did not score better on the test part over three seeds
    /// (bench/results/tuning-splits-2026-12-06), and each split costs one more round of fits.
    /// </summary>
    internal const int DefaultTuneSplits = 1;

    internal const int MaxTuneSplits = 10;

    /// <summary>What runs without --models (content only when the data has item metadata).</summary>
    public static readonly IReadOnlyList<ModelKind> DefaultModels =
        [ModelKind.Popularity, ModelKind.ItemKnn, ModelKind.Ease, ModelKind.Als, ModelKind.Content, ModelKind.Blend];

    public static Command Create()
    {
        var defaults = new ModelSettings();
        string defaultModels = string.Join(",", DefaultModels.Select(m => m.Name()));
        var data = new Option<string>("--data") { Description = "Data: a directory (ml100k, mlcsv) or a CSV file (csv).", Required = true };
        var format = new Option<string>("--format") { Description = InteractionInput.FormatHelp, DefaultValueFactory = _ => "ml100k" };
        var split = new Option<string>("--split") { Description = "random:F (train fraction per user), temporal:N (last N events per user held out) or cut:UNIXTIME (events from then on held out).", DefaultValueFactory = _ => "random:0.75" };
        var k = new Option<int>("--k") { Description = "List length K.", DefaultValueFactory = _ => 10 };
        var models = new Option<string?>("--models") { Description = $"Comma-separated: {string.Join(",", ModelKinds.All.Select(m => m.Name))},{PipelineModel} (default {defaultModels}; content only when the data has item metadata; {PipelineModel} = the serving pipeline's home surface, every stage on)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the split and of the models.", DefaultValueFactory = _ => 42UL };
        var json = new Option<string?>("--json") { Description = "Write the results as a JSON list to this file." };
        var tune = new Option<bool>("--tune") { Description = "Tune hyper-parameters on a validation split of the training part first." };
        var tuneSplits = new Option<int>("--tune-splits") { Description = "With --tune and a random split: how many validation splits of the training part (each with a seed of its own) score every setting, by their mean NDCG (1-10, default 1). Temporal and cut splits have exactly one.", DefaultValueFactory = _ => DefaultTuneSplits };
        var skipBad = new Option<bool>("--skip-bad") { Description = "Skip (and count) bad rows instead of failing." };
        var factors = new Option<int?>("--factors") { Description = $"ALS factors (default {defaults.Als.Factors})." };
        var alpha = new Option<float?>("--alpha") { Description = $"ALS confidence alpha (default {defaults.Als.Alpha:G})." };
        var lambda = new Option<float?>("--lambda") { Description = $"ALS regularisation (default {defaults.Als.Lambda:G})." };
        var iterations = new Option<int?>("--iterations") { Description = $"ALS sweeps (default {defaults.Als.Iterations})." };
        var easeLambda = new Option<float?>("--ease-lambda") { Description = $"EASE regularisation (default {defaults.EaseLambda:G})." };
        var easeDropout = new Option<float?>("--ease-dropout") { Description = $"EASE input dropout in [0, 1), the EDLAE closed form; 0 = plain EASE (default {defaults.EaseDropout:G})." };
        var neighbors = new Option<int?>("--neighbors") { Description = $"Item-kNN neighbours per item (default {defaults.KnnNeighbors})." };
        var ranker = new Option<string>("--ranker") { Description = "The learned ranker of the 'ranked' model: mlp or gbdt (LambdaRank, LightGBM).", DefaultValueFactory = _ => "mlp" };
        var gbdtBase = new Option<string?>("--gbdt-base") { Description = "Residual GBDT (the 'ranked' model and the pipeline's ranker): FEATURE[:WEIGHT], the ranking feature the boosting starts from (LightGBM init_score = WEIGHT x that column; the model adds it back), e.g. cf_score_z:2; none = boost from 0 (default)." };
        var pipelineRanker = new Option<string>("--pipeline-ranker") { Description = $"The {PipelineModel}'s ranking stage: gbdt or mlp (trained on the pipeline's own candidates and features from an inner split of the training part) or none (rank fusion of the sources).", DefaultValueFactory = _ => "gbdt" };
        var pipelinePost = new Option<string>("--pipeline-post") { Description = $"The {PipelineModel}'s post-processing: on (the surface's MMR, category cap and exploration) or off (none of them).", DefaultValueFactory = _ => "on" };
        var rankerGate = new Option<string>("--ranker-gate") { Description = $"The {PipelineModel}'s trained ranker serves only when its validation NDCG beats rank fusion's on the same rows, as `recsys train` ships it: on (default) or off (serve it anyway).", DefaultValueFactory = _ => "on" };
        var pipelineGrid = new Option<string?>("--pipeline-grid") { Description = $"MMR:SHARE,... settings of the {PipelineModel}'s MMR lambda and exploration share tried on the inner split (needs a ranker); the best NDCG@10 at inner coverage >= 0.30 is used." };

        var command = new Command("eval", "Train models on a split and report ranking metrics (NDCG, recall, precision, MAP, MRR, hit rate, coverage, diversity, novelty).");
        foreach (var o in new Option[] { data, format, split, k, models, seed, json, tune, tuneSplits, skipBad, factors, alpha, lambda, iterations, easeLambda, easeDropout, neighbors, ranker, gbdtBase, pipelineRanker, pipelinePost, pipelineGrid, rankerGate })
            command.Add(o);
        command.SetAction(parse =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            TextWriter stderr = parse.InvocationConfiguration.Error;
            int topK = parse.GetValue(k);
            OptionRules.Check("--k", () => _ = new EvaluationOptions { K = topK });
            if (parse.GetValue(tuneSplits) is < 1 or > MaxTuneSplits)
                throw new CliInputException($"--tune-splits must be 1 to {MaxTuneSplits} (got {parse.GetValue(tuneSplits)})");
            if (parse.GetResult(tuneSplits) is { Implicit: false } && !parse.GetValue(tune))
                throw new CliInputException("--tune-splits needs --tune (it sets how many validation splits tuning scores on)");
            string? requested = parse.GetValue(models);
            bool pipeline = TakePipeline(ref requested);
            List<ModelKind> modelKinds = requested is null ? [.. DefaultModels] : pipeline && requested.Length == 0 ? [] : ParseModels(requested);
            ulong s = parse.GetValue(seed);
            var settings = defaults with
            {
                Als = defaults.Als with
                {
                    Factors = parse.GetValue(factors) ?? defaults.Als.Factors,
                    Alpha = parse.GetValue(alpha) ?? defaults.Als.Alpha,
                    Lambda = parse.GetValue(lambda) ?? defaults.Als.Lambda,
                    Iterations = parse.GetValue(iterations) ?? defaults.Als.Iterations,
                    Seed = s,
                },
                EaseLambda = parse.GetValue(easeLambda) ?? defaults.EaseLambda,
                EaseDropout = parse.GetValue(easeDropout) ?? defaults.EaseDropout,
                KnnNeighbors = parse.GetValue(neighbors) ?? defaults.KnnNeighbors,
            };
            // The models' own rules, applied before any data is read.
            try
            {
                settings.Als.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new CliInputException($"--{e.ParamName?.ToLowerInvariant()}: {ArgumentReason.Of(e)}");
            }
            OptionRules.Check("--ease-dropout", () => ModelFactory.Create(ModelKind.Ease, settings with { EaseLambda = defaults.EaseLambda }));
            OptionRules.Check("--ease-lambda", () => ModelFactory.Create(ModelKind.Ease, settings));
            OptionRules.Check("--neighbors", () => ModelFactory.Create(ModelKind.ItemKnn, settings));
            RankerKind rankerKind = parse.GetValue(ranker) switch
            {
                "mlp" => RankerKind.Mlp,
                "gbdt" => RankerKind.Gbdt,
                var r => throw new CliInputException($"--ranker must be mlp or gbdt (got '{r}')"),
            };
            var (baseFeature, baseWeight) = ParseGbdtBase(parse.GetValue(gbdtBase), settings.Ranker);
            settings = settings with
            {
                Ranker = settings.Ranker with
                {
                    Ranker = rankerKind, Seed = s, Log = line => stderr.WriteLine(line),
                    GbdtBaseFeature = baseFeature, Gbdt = settings.Ranker.Gbdt with { BaseWeight = baseWeight },
                },
                TwoTower = settings.TwoTower with { Seed = s, Log = line => stderr.WriteLine(line) },
            };
            Func<InteractionSet, DataSplit> splitter = ParseSplit(parse.GetValue(split)!, s);
            var pipelineOptions = ParsePipelineOptions(parse.GetValue(pipelineRanker)!, parse.GetValue(pipelinePost)!, parse.GetValue(pipelineGrid), parse.GetValue(rankerGate)!);

            string path = parse.GetValue(data)!;
            InteractionSet all = InteractionInput.Load(path, parse.GetValue(format)!, parse.GetValue(skipBad), stderr);
            string[] needMetadata = [.. modelKinds.Where(m => m.Info().NeedsItemMetadata).Select(m => m.Name())];
            if (all.Catalog is null && needMetadata.Length > 0)
            {
                // Asked for by name: a clear error. By default: left out, with a note.
                if (requested is not null)
                    throw new CliInputException($"--models: the {needMetadata[0]} model needs item metadata, which --format {parse.GetValue(format)} at {path} does not have");
                modelKinds.RemoveAll(m => m.Info().NeedsItemMetadata);
                stderr.WriteLine($"note: no item metadata in this data set; the {string.Join(", ", needMetadata)} model is left out");
            }
            stdout.WriteLine($"data: {all.Count} interactions, {all.UserCount} users, {all.ItemCount} items ({parse.GetValue(format)})");

            DataSplit parts = splitter(all);
            stdout.WriteLine($"split {parse.GetValue(split)} seed {s}: {parts.Train.Count} train, {parts.Test.Count} test");
            if (parts.Test.Count == 0)
                throw new CliInputException($"--split {parse.GetValue(split)} leaves no test events");

            var validationSplit = ValidationSplit(parse.GetValue(split)!, s, parts.Test.Count / (double)all.Count);
            // The ranker's training rows are labelled by the test protocol applied to the training part, as tuning is:
            // under a temporal split it must learn to rank each user's next events, not a random quarter of them.
            // The random protocol keeps the ranker's own inner random split (FitFraction, its own seed).
            if (!parse.GetValue(split)!.StartsWith("random:", StringComparison.Ordinal))
                settings = settings with { Ranker = settings.Ranker with { LabelSplit = validationSplit } };
            if (parse.GetValue(tune))
            {
                var validationSplits = ValidationSplits(parse.GetValue(split)!, s, parts.Test.Count / (double)all.Count, parse.GetValue(tuneSplits));
                if (validationSplits.Count < parse.GetValue(tuneSplits))
                    stderr.WriteLine($"note: --split {parse.GetValue(split)} has one validation split (the test protocol on the training part has no randomness); --tune-splits {parse.GetValue(tuneSplits)} is not used");
                settings = Tuner.Tune(parts.Train, validationSplits, modelKinds, settings, topK, line => stderr.WriteLine(line));
                stdout.WriteLine(validationSplits.Count == 1 ? "tuned on a validation split of the training part:" : $"tuned on {validationSplits.Count} validation splits of the training part (mean NDCG):");
                stdout.WriteLine($"  {ModelKind.Als.Name()}: {settings.Als}");
                stdout.WriteLine($"  {ModelKind.Ease.Name()}: lambda={settings.EaseLambda:G} dropout={settings.EaseDropout:G}");
                stdout.WriteLine($"  {ModelKind.ItemKnn.Name()}: neighbors={settings.KnnNeighbors} similarity={settings.KnnSimilarity.ToString().ToLowerInvariant()}");
                stdout.WriteLine($"  {ModelKind.Trending.Name()}: half_life_days={settings.TrendingHalfLifeDays:G}");
                stdout.WriteLine($"  {ModelKind.Blend.Name()}: c={settings.BlendC:G} weights={string.Join(",", settings.BlendWeights.Select(p => $"{p.Key}:{p.Value:G}"))}");
            }

            var train = new TrainingData(parts.Train);
            var test = InteractionMatrix.FromSet(parts.Test, binary: true);
            var results = EvalRunner.Run(train, test, modelKinds, settings, topK, line => stderr.WriteLine(line));
            if (pipeline)
                results = [.. results, EvaluatePipeline(train, test, settings, topK, pipelineOptions, stderr)];
            PrintTable(stdout, results, topK);
            string? jsonPath = parse.GetValue(json);
            if (jsonPath is not null)
            {
                string? dir = Path.GetDirectoryName(Path.GetFullPath(jsonPath));
                if (dir is not null)
                    Directory.CreateDirectory(dir);
                File.WriteAllText(jsonPath, ToJson(results, topK, s));
                stdout.WriteLine($"wrote {jsonPath}");
            }
            return CliRunner.ExitOk;
        });
        return command;
    }

    /// <summary>The serving pipeline in --models: not a model kind (Models cannot see the Pipeline project), run beside them.</summary>
    public const string PipelineModel = "pipeline";

    /// <summary>Takes "pipeline" out of the --models text; true when it was there.</summary>
    internal static bool TakePipeline(ref string? requested)
    {
        if (requested is null)
            return false;
        var names = requested.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!names.Contains(PipelineModel))
            return false;
        requested = string.Join(",", names.Where(n => n != PipelineModel));
        return true;
    }

    /// <summary>The very pipeline object the server runs (Pipeline.Evaluation.PipelineRecommender), trained and evaluated on the split.</summary>
    private static EvaluationResult EvaluatePipeline(TrainingData train, InteractionMatrix test, ModelSettings settings, int k,
        (RankerKind? Ranker, bool Post, (float, float)[] Grid, bool Gate) options, TextWriter log)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Func<Pipeline.Serving.ServingModels, Pipeline.Config.PipelineConfig>? config = options.Post ? null : m =>
        {
            var c = Pipeline.Config.PipelineDefaults.Config(m, "eval");
            return c with { Surfaces = [.. c.Surfaces.Select(x => x with { MmrLambda = 1f, CategoryCap = 0, ExplorationShare = 0f })] };
        };
        using var pipeline = new Pipeline.Evaluation.PipelineRecommender(settings, config, depth: k, ranker: options.Ranker, log: line => log.WriteLine(line)) { PostProcessGrid = options.Grid, RankerGate = options.Gate };
        pipeline.Fit(train);
        double seconds = clock.Elapsed.TotalSeconds;
        log.WriteLine($"trained {PipelineModel} in {seconds:F2} s ({pipeline.Describe()})");
        // One user per core: the feature store's reads slow down sharply with many more threads than cores (measured:
        // 0.14 ms for a user's three reads at 2 threads, 6 ms at 64 on 2 cores), and an unbounded Parallel.For makes that many.
        var result = Evaluator.Evaluate(pipeline, train, test, new EvaluationOptions { K = k, MaxDegreeOfParallelism = Environment.ProcessorCount }, seconds);
        log.WriteLine($"evaluated {PipelineModel}: ndcg@{k} {result.Ndcg:F4} in {result.EvalSeconds:F2} s");
        return result;
    }

    /// <summary>--gbdt-base FEATURE[:WEIGHT] | none (null = the settings' own), checked before any data is read (the feature name against the schema at training).</summary>
    internal static (string? Feature, double Weight) ParseGbdtBase(string? value, RankerTrainingOptions defaults)
    {
        if (value is null)
            return (defaults.GbdtBaseFeature, defaults.Gbdt.BaseWeight);
        if (value == "none")
            return (null, defaults.Gbdt.BaseWeight);
        string[] parts = value.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0)
            throw new CliInputException($"--gbdt-base must be FEATURE[:WEIGHT] or none (got '{value}')");
        double weight = 1.0;
        if (parts.Length == 2 && !(double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out weight) && double.IsFinite(weight)))
            throw new CliInputException($"--gbdt-base: weight '{parts[1]}' is not a finite number");
        return (parts[0], weight);
    }

    /// <summary>--pipeline-ranker, --pipeline-post, --pipeline-grid and --ranker-gate, checked before any data is read.</summary>
    internal static (RankerKind? Ranker, bool Post, (float, float)[] Grid, bool Gate) ParsePipelineOptions(string ranker, string post, string? grid, string gate = "on")
    {
        bool gated = gate switch
        {
            "on" => true,
            "off" => false,
            _ => throw new CliInputException($"--ranker-gate must be on or off (got '{gate}')"),
        };
        RankerKind? kind = ranker switch
        {
            "gbdt" => RankerKind.Gbdt,
            "mlp" => RankerKind.Mlp,
            "none" => null,
            _ => throw new CliInputException($"--pipeline-ranker must be gbdt, mlp or none (got '{ranker}')"),
        };
        bool on = post switch
        {
            "on" => true,
            "off" => false,
            _ => throw new CliInputException($"--pipeline-post must be on or off (got '{post}')"),
        };
        var settings = new List<(float, float)>();
        foreach (string pair in (grid ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] p = pair.Split(':');
            if (p.Length != 2 || !float.TryParse(p[0], NumberStyles.Float, CultureInfo.InvariantCulture, out float mmr) || !(mmr >= 0 && mmr <= 1)
                || !float.TryParse(p[1], NumberStyles.Float, CultureInfo.InvariantCulture, out float share) || !(share >= 0 && share < 1))
                throw new CliInputException($"--pipeline-grid: '{pair}' is not MMR:SHARE with MMR in [0, 1] and SHARE in [0, 1)");
            settings.Add((mmr, share));
        }
        if (settings.Count > 0 && kind is null)
            throw new CliInputException("--pipeline-grid needs a --pipeline-ranker (the grid is measured on the ranked inner pipeline)");
        if (settings.Count > 0 && !on)
            throw new CliInputException("--pipeline-grid moves the post-processing, which --pipeline-post off turns off");
        return (kind, on, [.. settings], gated);
    }

    /// <summary>--models, parsed once against the registry: unknown names are bad input naming the option and the known names.</summary>
    internal static List<ModelKind> ParseModels(string text)
    {
        var kinds = new List<ModelKind>();
        foreach (string name in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            kinds.Add(OptionRules.Check("--models", () => ModelKinds.Parse(name)));
        if (kinds.Count == 0)
            throw new CliInputException("--models names no model");
        return kinds;
    }

    internal static Func<InteractionSet, DataSplit> ParseSplit(string text, ulong seed)
    {
        string[] parts = text.Split(':', 2);
        if (parts.Length == 2 && parts[0] == "random"
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double fraction) && fraction > 0 && fraction < 1)
            return set => Splitter.RandomPerUser(set, fraction, seed);
        if (parts.Length == 2 && parts[0] == "temporal" && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1)
            return set => Splitter.TemporalLastN(set, n);
        if (parts.Length == 2 && parts[0] == "cut" && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long cut))
            return set => Splitter.TemporalGlobalCut(set, cut);
        throw new CliInputException($"--split must be random:F with 0 < F < 1, temporal:N with N >= 1 or cut:UNIXTIME (got '{text}')");
    }

    /// <summary>
    /// Validation splits for <c>--tune</c>: <paramref name="count"/> random ones (the first is <see cref="ValidationSplit"/>'s,
    /// so one split tunes as before; each further one has a seed of its own), or the one split of a deterministic protocol.
    /// </summary>
    internal static IReadOnlyList<Func<InteractionSet, DataSplit>> ValidationSplits(string text, ulong seed, double testShare, int count)
    {
        if (!text.StartsWith("random:", StringComparison.Ordinal))
            return [ValidationSplit(text, seed, testShare)];
        var splits = new List<Func<InteractionSet, DataSplit>>(count) { ValidationSplit(text, seed, testShare) };
        for (int r = 1; r < count; r++)
            splits.Add(ParseSplit(text, (seed ^ 0x7A11DA7E5EEDUL) + (ulong)r * 0x9E3779B97F4A7C15UL));
        return splits;
    }

    /// <summary>
    /// The test protocol applied again to the training part, for tuning: random:F splits each user's training
    /// events F / 1-F (with a seed of its own), temporal:N holds out each user's last N training events, and
    /// cut:T holds out the training part's latest events in the share the test part holds of all events.
    /// </summary>
    internal static Func<InteractionSet, DataSplit> ValidationSplit(string text, ulong seed, double testShare)
    {
        if (text.StartsWith("cut:", StringComparison.Ordinal))
            return set => Splitter.TemporalGlobalCut(set, Splitter.LatestShareCut(set, testShare));
        return ParseSplit(text, seed ^ 0x7A11DA7E5EEDUL);
    }

    private static void PrintTable(TextWriter o, IReadOnlyList<EvaluationResult> results, int k)
    {
        o.WriteLine($"{"model",-11} {"ndcg@" + k,8} {"recall@" + k,9} {"prec@" + k,8} {"map@" + k,8} {"mrr",7} {"hit",7} {"cover",7} {"div-cat",7} {"div-emb",7} {"novelty",7} {"train s",7}");
        foreach (var r in results)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Model,-11} {r.Ndcg,8:F4} {r.Recall,9:F4} {r.Precision,8:F4} {r.Map,8:F4} {r.Mrr,7:F4} {r.HitRate,7:F4} {r.Coverage,7:F4} {r.Diversity,7:F4} {r.EmbeddingDiversity,7:F4} {r.Novelty,7:F3} {r.TrainSeconds,7:F2}"));
        }
        foreach (var r in results)
            o.WriteLine($"  {r.Model}: {r.Parameters}");
    }

    internal static string ToJson(IReadOnlyList<EvaluationResult> results, int k, ulong seed)
    {
        var list = new JsonArray();
        foreach (var r in results)
        {
            list.Add(new JsonObject
            {
                ["model"] = r.Model,
                [$"ndcg_at_{k}"] = r.Ndcg,
                [$"recall_at_{k}"] = r.Recall,
                [$"precision_at_{k}"] = r.Precision,
                [$"map_at_{k}"] = r.Map,
                ["mrr"] = r.Mrr,
                ["hit_rate"] = r.HitRate,
                ["coverage"] = r.Coverage,
                ["diversity"] = Finite(r.Diversity),
                ["diversity_embedding"] = Finite(r.EmbeddingDiversity),
                ["novelty"] = r.Novelty,
                ["users"] = r.Users,
                ["seed"] = seed,
                ["parameters"] = r.Parameters,
                ["train_seconds"] = r.TrainSeconds,
            });
        }
        return list.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonNode? Finite(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
