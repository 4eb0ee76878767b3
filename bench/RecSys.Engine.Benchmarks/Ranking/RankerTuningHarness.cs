using System.Diagnostics;
using System.Globalization;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;
using RecSys.Engine.Models.Ranking.Gbdt;

namespace RecSys.Engine.Benchmarks.Ranking;

/// <summary>
/// The ranked model's study on MovieLens 100K (dotnet run -c Release --project bench/RecSys.Engine.Benchmarks --
/// ranker-tune DIR SPEC [SPEC...]): the standard split (random 75/25, seed 42), the single sources beside, then one
/// row per SPEC with the ranker's validation NDCG@10 (its own held-back training users: what settings are chosen by)
/// and the test metrics (reported, never chosen on). A SPEC is "mlp" or "gbdt" with comma-separated settings:
/// <code>
///   rows      folds=K (cross-fitting) | fit=0.75,splits=1 (inner random splits); per=50 (candidates per source);
///             groups=all | all-user | sources+affinity ...; sources=als+ease+itemknn+content+trending;
///             window=100 (history events); halflife=24 (trend counter, hours)
///   mlp       hidden=32 | 64-32 | none; loss=lambdarank|listwise; trunc=30; lr=0.001; epochs=40
///   gbdt      base=2*cf_score_z | none (residual: boost from 2 x that feature); gtrunc=30 (lambdarank truncation); leaves=31; lr=0.05; minleaf=20; rounds=500; stop=30; every=5 (rounds between validations); ff=1 (feature fraction); l2=0; bag=1/0 (fraction/freq)
/// </code>
/// Training rows are built once per distinct row setting and shared by the specs that use it.
/// </summary>
public static class RankerTuningHarness
{
    public static int Run(string[] args)
    {
        string dir = args.Length > 0 ? args[0] : "../shared/datasets/ml-100k";
        string[] specs = args.Length > 1 ? args[1..] : ["mlp", "gbdt"];
        InteractionSet all = MovieLens100KLoader.Load(dir, new LoadOptions(), new LoadReport());
        DataSplit split = Splitter.RandomPerUser(all, 0.75, 42);
        var train = new TrainingData(split.Train);
        InteractionMatrix test = InteractionMatrix.FromSet(split.Test, binary: true);
        var settings = new ModelSettings();
        Func<string, RecSys.Engine.Models.IRecommender?> source = ModelFactory.RankingSource(settings);
        Console.WriteLine($"# ranker study {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {LoadAverage()}");
        Console.WriteLine("| model | settings | validation ndcg@10 | test ndcg@10 | recall@10 | coverage | diversity (genre) | novelty | train s |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ModelKind kind in new[] { ModelKind.Als, ModelKind.Ease, ModelKind.ItemKnn })
        {
            var m = ModelFactory.Create(kind, settings);
            var clock = Stopwatch.StartNew();
            m.Fit(train);
            double seconds = clock.Elapsed.TotalSeconds;
            Row(kind.Name(), m.Describe(), "-", Evaluator.Evaluate(m, train, test), seconds);
        }
        var rows = new Dictionary<string, RankingDataset>();
        foreach (string spec in specs)
        {
            var options = Parse(spec) with { Log = null };
            var clock = Stopwatch.StartNew();
            var model = new RankedRecommender(source, options);
            string key = RowKey(options);
            if (!rows.TryGetValue(key, out RankingDataset? data))
                rows[key] = data = model.BuildTrainingRows(train);
            model.Fit(train, data);
            double seconds = clock.Elapsed.TotalSeconds;
            Row("ranked " + options.Ranker.ToString().ToLowerInvariant(), spec + $" ({data.Queries} queries, {data.Rows} rows)",
                model.ValidationNdcg.ToString("F4", CultureInfo.InvariantCulture), Evaluator.Evaluate(model, train, test), seconds);
            Console.WriteLine($"  {model.Describe()}");
        }
        return 0;
    }

    private static void Row(string model, string settings, string validation, EvaluationResult r, double seconds) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {model} | {settings} | {validation} | {r.Ndcg:F4} | {r.Recall:F4} | {r.Coverage:F4} | {r.Diversity:F4} | {r.Novelty:F3} | {seconds:F1} |"));

    private static string RowKey(RankerTrainingOptions o) =>
        string.Create(CultureInfo.InvariantCulture, $"{o.CrossFitFolds}/{o.FitFraction}/{o.InnerSplits}/{o.PerSource}/{o.Groups}/{string.Join("+", o.Sources ?? [])}/{o.HistoryWindow}/{o.CounterHalfLifeHours}");

    /// <summary>"gbdt:folds=5,leaves=15" -> the options (see the class summary for the keys).</summary>
    public static RankerTrainingOptions Parse(string spec)
    {
        string[] head = spec.Split(':', 2);
        var o = new RankerTrainingOptions { Ranker = Enum.Parse<RankerKind>(head[0], ignoreCase: true) };
        if (head.Length == 1)
            return o;
        foreach (string pair in head[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string k = kv[0], v = kv[1];
            double d() => double.Parse(v, CultureInfo.InvariantCulture);
            int i() => int.Parse(v, CultureInfo.InvariantCulture);
            o = k switch
            {
                "folds" => o with { CrossFitFolds = i() },
                "fit" => o with { FitFraction = d() },
                "splits" => o with { InnerSplits = i() },
                "per" => o with { PerSource = i() },
                "groups" => o with { Groups = Groups(v) },
                "sources" => o with { Sources = v.Split('+') },
                "window" => o with { HistoryWindow = i() },
                "halflife" => o with { CounterHalfLifeHours = d() },
                "hidden" => o with { Mlp = o.Mlp with { Hidden = v == "none" ? [] : [.. v.Split('-').Select(int.Parse)] } },
                "loss" => o with { Mlp = o.Mlp with { Loss = Enum.Parse<RankingLoss>(v, ignoreCase: true) } },
                "trunc" => o with { Mlp = o.Mlp with { Truncation = i() } },
                "epochs" => o with { Mlp = o.Mlp with { MaxEpochs = i() } },
                "lr" when o.Ranker == RankerKind.Mlp => o with { Mlp = o.Mlp with { LearningRate = (float)d() } },
                "lr" => o with { Gbdt = o.Gbdt with { LearningRate = d() } },
                "leaves" => o with { Gbdt = o.Gbdt with { NumLeaves = i() } },
                "minleaf" => o with { Gbdt = o.Gbdt with { MinDataInLeaf = i() } },
                "rounds" => o with { Gbdt = o.Gbdt with { MaxIterations = i() } },
                "stop" => o with { Gbdt = o.Gbdt with { EarlyStoppingRounds = i() } },
                "every" => o with { Gbdt = o.Gbdt with { EvaluateEvery = i() } },
                "ff" => o with { Gbdt = o.Gbdt with { FeatureFraction = d() } },
                "base" when v == "none" => o with { GbdtBaseFeature = null },
                "base" => o with { GbdtBaseFeature = v.Split('*')[^1], Gbdt = o.Gbdt with { BaseWeight = v.Contains('*') ? double.Parse(v.Split('*')[0], CultureInfo.InvariantCulture) : 1.0 } },
                "gtrunc" => o with { Gbdt = o.Gbdt with { TruncationLevel = i() } },
                "l2" => o with { Gbdt = o.Gbdt with { L2 = d() } },
                "bag" => o with { Gbdt = o.Gbdt with { BaggingFraction = double.Parse(v.Split('/')[0], CultureInfo.InvariantCulture), BaggingFrequency = int.Parse(v.Split('/')[1], CultureInfo.InvariantCulture) } },
                _ => throw new ArgumentException($"unknown setting '{k}' in '{spec}'"),
            };
        }
        return o;
    }

    /// <summary>"all", "all-user-context" (all but those), "sources+affinity" (only those).</summary>
    private static RankingFeatureGroups Groups(string v)
    {
        string[] minus = v.Split('-');
        if (minus[0] == "all")
            return minus.Skip(1).Aggregate(RankingFeatureGroups.All, (g, name) => g & ~Enum.Parse<RankingFeatureGroups>(name, ignoreCase: true));
        return v.Split('+').Aggregate(RankingFeatureGroups.None, (g, name) => g | Enum.Parse<RankingFeatureGroups>(name, ignoreCase: true));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
