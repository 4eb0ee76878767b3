using System.Globalization;

namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>
/// Hyper-parameters of the LambdaRank GBDT, named as LightGBM names them. Defaults are LightGBM's, except a
/// lower learning rate with more rounds (early stopping picks the count) and a fixed thread count and seed so a
/// run reproduces on any machine.
/// </summary>
public sealed record GbdtOptions
{
    /// <summary>num_leaves: leaves per tree.</summary>
    public int NumLeaves { get; init; } = 31;

    public double LearningRate { get; init; } = 0.05;

    /// <summary>min_data_in_leaf: rows a leaf needs.</summary>
    public int MinDataInLeaf { get; init; } = 20;

    /// <summary>feature_fraction: share of features each tree may split on (1 = all).</summary>
    public double FeatureFraction { get; init; } = 1.0;

    /// <summary>bagging_fraction: share of rows each bagged tree sees (1 = all).</summary>
    public double BaggingFraction { get; init; } = 1.0;

    /// <summary>bagging_freq: re-draw the bag every N iterations (0 = no bagging).</summary>
    public int BaggingFrequency { get; init; }

    /// <summary>lambda_l2: L2 penalty on leaf values.</summary>
    public double L2 { get; init; }

    /// <summary>Boosting rounds at most.</summary>
    public int MaxIterations { get; init; } = 500;

    /// <summary>Stop when validation NDCG has not improved for this many rounds; the best round's model is kept.</summary>
    public int EarlyStoppingRounds { get; init; } = 30;

    /// <summary>Rounds between evaluations of a caller's validation metric (each one predicts every validation row).</summary>
    public int EvaluateEvery { get; init; } = 5;

    /// <summary>ndcg_eval_at: the cut-off of the validation NDCG that early stopping watches (and LambdaRank's truncation is at least).</summary>
    public int NdcgAt { get; init; } = 10;

    /// <summary>lambdarank_truncation_level: the top positions of each query whose pairs LambdaRank weighs; 0 = max(<see cref="NdcgAt"/>, 30).</summary>
    public int TruncationLevel { get; init; }

    /// <summary>seed: LightGBM derives its bagging, feature-fraction and data seeds from it.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Residual boosting: the column whose value x <see cref="BaseWeight"/> is every row's starting score (LightGBM's
    /// init_score), so the trees learn corrections to it; the model adds it back (<see cref="TreeEnsemble.WithBase"/>).
    /// -1 = boost from 0. Not a LightGBM parameter string entry: the trainer sets it as a data set field.
    /// </summary>
    public int BaseFeature { get; init; } = -1;

    /// <summary>The weight of <see cref="BaseFeature"/> in the starting score (LambdaRank's sigmoid reads score differences, so the scale matters).</summary>
    public double BaseWeight { get; init; } = 1.0;

    /// <summary>num_threads: fixed, because LightGBM's deterministic mode is deterministic for a given thread count.</summary>
    public int Threads { get; init; } = 1;

    /// <exception cref="ArgumentOutOfRangeException">Naming the option that is out of range.</exception>
    public void Validate()
    {
        Check(NumLeaves is >= 2 and <= 131072, nameof(NumLeaves), NumLeaves, "2 to 131072");
        Check(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "> 0");
        Check(MinDataInLeaf >= 1, nameof(MinDataInLeaf), MinDataInLeaf, ">= 1");
        Check(FeatureFraction > 0 && FeatureFraction <= 1, nameof(FeatureFraction), FeatureFraction, "in (0, 1]");
        Check(BaggingFraction > 0 && BaggingFraction <= 1, nameof(BaggingFraction), BaggingFraction, "in (0, 1]");
        Check(BaggingFrequency >= 0, nameof(BaggingFrequency), BaggingFrequency, ">= 0");
        Check(L2 >= 0 && double.IsFinite(L2), nameof(L2), L2, ">= 0");
        Check(MaxIterations >= 1, nameof(MaxIterations), MaxIterations, ">= 1");
        Check(EarlyStoppingRounds >= 1, nameof(EarlyStoppingRounds), EarlyStoppingRounds, ">= 1");
        Check(NdcgAt >= 1, nameof(NdcgAt), NdcgAt, ">= 1");
        Check(EvaluateEvery >= 1, nameof(EvaluateEvery), EvaluateEvery, ">= 1");
        Check(Threads >= 1, nameof(Threads), Threads, ">= 1");
        Check(TruncationLevel >= 0, nameof(TruncationLevel), TruncationLevel, ">= 0 (0 = max(NdcgAt, 30))");
        Check(BaseFeature >= -1, nameof(BaseFeature), BaseFeature, "-1 (none) or a column");
        Check(double.IsFinite(BaseWeight), nameof(BaseWeight), BaseWeight, "finite");
    }

    /// <summary>LightGBM's parameter string for a LambdaRank booster and its data sets.</summary>
    public string ToLightGbmParameters() => string.Create(CultureInfo.InvariantCulture,
        $"objective=lambdarank metric=ndcg ndcg_eval_at={NdcgAt} lambdarank_truncation_level={(TruncationLevel > 0 ? TruncationLevel : Math.Max(NdcgAt, 30))} " +
        $"num_leaves={NumLeaves} learning_rate={LearningRate:R} min_data_in_leaf={MinDataInLeaf} " +
        $"feature_fraction={FeatureFraction:R} bagging_fraction={BaggingFraction:R} bagging_freq={BaggingFrequency} lambda_l2={L2:R} " +
        // Deterministic training: fixed seed and threads, and the row-wise histogram layout chosen up front
        // (LightGBM otherwise picks row- or column-wise by timing both). No zero_as_missing: NaN is the only
        // missing value, which keeps every split expressible in ONNX.
        $"seed={Seed} num_threads={Threads} deterministic=true force_row_wise=true zero_as_missing=false verbosity=-1");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"leaves={NumLeaves} lr={LearningRate:G} min_leaf={MinDataInLeaf} feature_fraction={FeatureFraction:G} bagging={BaggingFraction:G}/{BaggingFrequency} l2={L2:G} rounds<={MaxIterations} stop={EarlyStoppingRounds} ndcg@{NdcgAt}{(TruncationLevel > 0 ? $" trunc={TruncationLevel}" : "")} seed={Seed} threads={Threads}{(BaseFeature >= 0 ? string.Create(CultureInfo.InvariantCulture, $" base={BaseWeight:G}*f{BaseFeature}") : "")}");

    private static void Check(bool ok, string name, object value, string range)
    {
        if (!ok)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be {range}");
    }
}
