using System.Diagnostics;
using System.Globalization;
using RecSys.Engine.Models.Data;
using RecSys.Engine.Models.Evaluation;
using RecSys.Engine.Models.Factory;
using RecSys.Engine.Models.Ranking;

namespace RecSys.Engine.Benchmarks.Ranking;

/// <summary>
/// The ranker's hyper-parameter and feature-group study on MovieLens 100K (dotnet run -c Release --project
/// bench/RecSys.Engine.Benchmarks -- ranker-tune DIR [inner-splits] [losses] [fit-fraction] [no-ablation] [diagnose]): the standard split (random 75/25, seed 42); the
/// training rows are built once from the training part; every setting is trained on them and scored on the validation
/// users only (never the test part); then the chosen setting and one model per left-out feature group are evaluated on
/// the test part, beside the single sources.
/// </summary>
public static class RankerTuningHarness
{
    public static int Run(string[] args)
    {
        string dir = args.Length > 0 ? args[0] : "../shared/datasets/ml-100k";
        int innerSplits = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        InteractionSet all = MovieLens100KLoader.Load(dir, new LoadOptions(), new LoadReport());
        DataSplit split = Splitter.RandomPerUser(all, 0.75, 42);
        var train = new TrainingData(split.Train);
        InteractionMatrix test = InteractionMatrix.FromSet(split.Test, binary: true);
        var settings = new ModelSettings();
        Func<string, RecSys.Engine.Models.IRecommender?> source = ModelFactory.RankingSource(settings);
        double fitFraction = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0.75;
        bool ablate = args.Length <= 4 || args[4] != "no-ablation";
        var baseOptions = new RankerTrainingOptions { InnerSplits = innerSplits, FitFraction = fitFraction };

        var clock = Stopwatch.StartNew();
        // "mixed": rows from sources fitted at three inner fit fractions (0.6, 0.75, 0.9), so the ranker sees each source at several strengths.
        RankingDataset rows = args.Length > 5 && args[5] == "mixed"
            ? RankingDataset.Concat([.. new[] { 0.6, 0.75, 0.9 }.Select(fraction => new RankedRecommender(source, baseOptions with { FitFraction = fraction }).BuildTrainingRows(train))])
            : new RankedRecommender(source, baseOptions).BuildTrainingRows(train);
        var (fitRows, validation) = rows.SplitByQuery(baseOptions.ValidationFraction, baseOptions.Seed ^ 0x7A11_DA7EUL);
        Console.WriteLine($"# ranker tuning {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {rows.Queries} queries, {rows.Rows} rows ({innerSplits} inner split(s)), built in {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var (s, ndcg) in RankingDatasetMetrics.SourceNdcg(validation, 10))
            Console.WriteLine($"validation ndcg@10 {s,-10} alone: {ndcg:F4} (train {RankingDatasetMetrics.SourceNdcg(fitRows, 10)[s]:F4})");

        MlpTrainingOptions best = baseOptions.Mlp;
        double bestNdcg = double.NegativeInfinity;
        string[] grid = args.Length > 2 ? args[2].Split(',') : ["lambdarank", "listwise"];
        foreach (RankingLoss loss in grid.Select(g => Enum.Parse<RankingLoss>(g, ignoreCase: true)))
        foreach (int[] hidden in new[] { Array.Empty<int>(), new[] { 32 }, new[] { 64, 32 } })
        foreach (int truncation in loss == RankingLoss.LambdaRank ? new[] { 10, 30, int.MaxValue } : [0])
        {
            var o = baseOptions.Mlp with { Loss = loss, Hidden = hidden, Truncation = Math.Max(truncation, 1) };
            clock.Restart();
            MlpTrainingResult result = MlpTrainer.Train(fitRows, validation, o);
            Console.WriteLine($"validation ndcg@10 {result.ValidationNdcg:F4} (train {RankingDatasetMetrics.MeanNdcg(fitRows, result.Model.ScoreAll(fitRows), 10):F4}; epoch {result.BestEpoch}, {clock.Elapsed.TotalSeconds:F1} s): {o}");
            if (result.ValidationNdcg > bestNdcg)
                (bestNdcg, best) = (result.ValidationNdcg, o);
        }
        Console.WriteLine($"chosen: {best}");
        var baselines = new[] { ModelKind.Als, ModelKind.Ease }.Select(kind =>
        {
            var m = ModelFactory.Create(kind, settings);
            m.Fit(train);
            return (kind.Name(), Evaluator.Evaluate(m, train, test));
        });

        var chosen = baseOptions with { Mlp = best };
        if (args.Length > 5 && args[5] == "diagnose")
        {
            // The test part as ranking rows (final sources, test labels): each source's order and the ranker's, same candidates.
            var model = new RankedRecommender(source, chosen);
            model.Fit(train, rows);
            RankingDataset testRows = model.BuildRows(train, test);
            foreach (var (s, ndcg) in RankingDatasetMetrics.SourceNdcg(testRows, 10))
                Console.WriteLine($"test rows ndcg@10 {s,-10} alone: {ndcg:F4}");
            Console.WriteLine($"test rows ndcg@10 ranker: {RankingDatasetMetrics.MeanNdcg(testRows, model.Model.ScoreAll(testRows), 10):F4}; evaluator: {Evaluator.Evaluate(model, train, test).Ndcg:F4}");
            var (m1, _) = MlpRanker.Standardization(rows.Features, rows.Schema.Count);
            var (m2, _) = MlpRanker.Standardization(testRows.Features, rows.Schema.Count);
            var (_, inv) = MlpRanker.Standardization(rows.Features, rows.Schema.Count);
            for (int k = 0; k < rows.Schema.Count; k++)
            {
                if (Math.Abs(m1[k] - m2[k]) * inv[k] > 0.1)
                    Console.WriteLine($"shift {rows.Schema.Features[k].Name}: train mean {m1[k]:F3}, test mean {m2[k]:F3} ({(m2[k] - m1[k]) * inv[k]:F2} std)");
            }
            return 0;
        }
        Console.WriteLine("| model | groups | validation ndcg@10 | test ndcg@10 | recall@10 | coverage | diversity |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, r) in baselines)
            Console.WriteLine($"| {name} | - | - | {r.Ndcg:F4} | {r.Recall:F4} | {r.Coverage:F4} | {r.Diversity:F4} |");
        RankingFeatureGroups[] ablation =
        [
            RankingFeatureGroups.All,
            .. new[] { RankingFeatureGroups.User, RankingFeatureGroups.Item, RankingFeatureGroups.Context, RankingFeatureGroups.Sources, RankingFeatureGroups.Affinity }
                .Select(g => RankingFeatureGroups.All & ~g),
            RankingFeatureGroups.Sources,
            RankingFeatureGroups.Sources | RankingFeatureGroups.Affinity,
        ];
        foreach (RankingFeatureGroups groups in ablation.Take(ablate ? ablation.Length : 1))
        {
            var model = new RankedRecommender(source, chosen with { Groups = groups });
            model.Fit(train, groups == RankingFeatureGroups.All ? rows : model.BuildTrainingRows(train));
            EvaluationResult r = Evaluator.Evaluate(model, train, test);
            string label = groups == RankingFeatureGroups.All ? "all"
                : groups.HasFlag(RankingFeatureGroups.User) || groups.HasFlag(RankingFeatureGroups.Item) ? "all - " + (RankingFeatureGroups.All & ~groups).ToString().ToLowerInvariant()
                : "only " + groups.ToString().ToLowerInvariant().Replace(", ", " + ");
            Console.WriteLine($"| ranked mlp | {label} | {model.Training!.ValidationNdcg:F4} | {r.Ndcg:F4} | {r.Recall:F4} | {r.Coverage:F4} | {r.Diversity:F4} |");
        }
        return 0;
    }
}
