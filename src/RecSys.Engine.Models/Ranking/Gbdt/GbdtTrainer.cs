using RecSys.Engine.Native;

namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// Trains a LambdaRank GBDT with LightGBM (through native-interop's C API bindings) and returns it as a
/// <see cref="TreeEnsemble"/>: one boosting round at a time, validation NDCG@k read after each, stopping once it
/// has not improved for <see cref="GbdtOptions.EarlyStoppingRounds"/> rounds, the model cut at the best round.
/// The validation metric is LightGBM's own NDCG@k, or the caller's (a function of the raw scores of the validation
/// rows, read every <see cref="GbdtOptions.EvaluateEvery"/> rounds): LightGBM's NDCG sees only the labels inside each
/// query, while the test protocol counts a user's relevant items no source retrieved too.
/// Deterministic for given options (seed, thread count, LightGBM's deterministic mode).
/// </summary>
public static class GbdtTrainer
{
    /// <summary>LightGBM's default label_gain (2^i - 1) has 31 entries: grades 0..30.</summary>
    public const int MaxGrade = 30;

    /// <exception cref="ArgumentException">Grades that are not whole numbers in 0..30, or a validation set of another width.</exception>
    /// <exception cref="LightGbmException">LightGBM refused the data or the parameters (its reason in the message).</exception>
    /// <param name="validationMetric">Higher is better, from one raw score per validation row; null = LightGBM's NDCG@k.</param>
    public static GbdtTrainingResult Train(RankingTrainingSet train, RankingTrainingSet validation, GbdtOptions options, Action<string>? log = null,
        Func<ReadOnlySpan<float>, double>? validationMetric = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (validation.FeatureCount != train.FeatureCount)
            throw new ArgumentException($"validation rows have {validation.FeatureCount} features, training rows {train.FeatureCount}", nameof(validation));
        CheckGrades(train, nameof(train));
        CheckGrades(validation, nameof(validation));
        if (options.BaseFeature >= train.FeatureCount)
            throw new ArgumentException($"base feature {options.BaseFeature}, but the rows have {train.FeatureCount} features", nameof(options));

        string parameters = options.ToLightGbmParameters();
        float[] validationBase = BaseScores(validation, options, nameof(validation));
        using var trainSet = Dataset(train, parameters, null, BaseScores(train, options, nameof(train)));
        using var validSet = Dataset(validation, parameters, trainSet, validationBase);
        using var booster = LightGbmBooster.Create(trainSet, parameters);
        booster.AddValidation(validSet);
        Span<double> eval = stackalloc double[booster.EvaluationCount];
        double[] raw = validationMetric is null ? [] : new double[validation.Rows];
        float[] scores = validationMetric is null ? [] : new float[validation.Rows];
        var curve = new List<double>();
        double best = double.NegativeInfinity;
        int bestIteration = 0, lastEvaluated = 0;
        double CallersMetric()
        {
            booster.PredictRaw(validation.Features.Span, validation.Rows, validation.FeatureCount, raw);
            // LightGBM's prediction leaves the init score out; the served model adds it in float (TreeEnsemble.Score).
            for (int r = 0; r < raw.Length; r++)
                scores[r] = (float)raw[r] + (validationBase.Length == 0 ? 0f : validationBase[r]);
            return validationMetric!(scores);
        }
        // Records the validation value of the model after round; false once early stopping says stop.
        bool Record(int round, double value)
        {
            curve.Add(value);
            lastEvaluated = round;
            if (value > best)
                (best, bestIteration) = (value, round);
            else if (round - bestIteration >= options.EarlyStoppingRounds)
                return false;
            return true;
        }
        for (int round = 1; round <= options.MaxIterations; round++)
        {
            // An empty tree means no split is left worth making; LightGBM drops it, so the model ends here.
            if (!booster.UpdateOneIteration())
            {
                log?.Invoke($"gbdt: round {round} found no split; stopping");
                // With a caller's metric evaluated every few rounds, the last round trained may not have been
                // evaluated yet: it is, so an empty tree before the first evaluated round still leaves a model.
                if (validationMetric is not null && round > 1 && lastEvaluated < round - 1)
                    Record(round - 1, CallersMetric());
                break;
            }
            double value;
            if (validationMetric is null)
            {
                booster.GetEvaluation(1, eval);
                value = eval[0];
            }
            else if (round % options.EvaluateEvery == 0 || round == options.MaxIterations)
            {
                value = CallersMetric();
            }
            else
            {
                continue;
            }
            if (!Record(round, value))
                break;
        }
        if (bestIteration == 0)
            throw new InvalidOperationException("LightGBM found no split in the first round: the features carry nothing LightGBM can split on (constant columns, or too few rows per leaf)");
        log?.Invoke($"gbdt: best validation {(validationMetric is null ? $"ndcg@{options.NdcgAt} (LightGBM's)" : "metric")} {best:F4} at round {bestIteration} ({options})");
        var model = TreeEnsemble.FromLightGbmJson(booster.DumpModelJson(bestIteration));
        if (options.BaseFeature >= 0)
            model = model.WithBase(options.BaseFeature, (float)options.BaseWeight);
        return new GbdtTrainingResult(model, bestIteration, best, curve, parameters);
    }

    /// <summary>weight x the base column of each row, in float as the served model computes it; empty without a base.</summary>
    private static float[] BaseScores(RankingTrainingSet set, GbdtOptions options, string argument)
    {
        if (options.BaseFeature < 0)
            return [];
        var scores = new float[set.Rows];
        ReadOnlySpan<float> x = set.Features.Span;
        float weight = (float)options.BaseWeight;
        for (int r = 0; r < scores.Length; r++)
        {
            float value = x[r * set.FeatureCount + options.BaseFeature];
            if (!float.IsFinite(value))
                throw new ArgumentException($"row {r}: the base feature {options.BaseFeature} is {value}; a base margin has to be known for every row", argument);
            scores[r] = weight * value;
        }
        return scores;
    }

    private static LightGbmDataset Dataset(RankingTrainingSet set, string parameters, LightGbmDataset? reference, float[] baseScores)
    {
        var dataset = LightGbmDataset.FromMatrix(set.Features.Span, set.Rows, set.FeatureCount, parameters, reference);
        try
        {
            dataset.SetLabels(set.Labels.Span);
            dataset.SetGroups(set.GroupSizes.Span);
            if (baseScores.Length > 0)
                dataset.SetInitScore(Array.ConvertAll(baseScores, v => (double)v));
            return dataset;
        }
        catch
        {
            dataset.Dispose();
            throw;
        }
    }

    private static void CheckGrades(RankingTrainingSet set, string argument)
    {
        ReadOnlySpan<float> y = set.Labels.Span;
        for (int r = 0; r < y.Length; r++)
        {
            if (y[r] != MathF.Floor(y[r]) || y[r] > MaxGrade)
                throw new ArgumentException($"label of row {r} is {y[r]}; LambdaRank takes whole relevance grades 0..{MaxGrade}", argument);
        }
    }
}
