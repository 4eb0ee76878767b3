namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>What <see cref="GbdtTrainer"/> returns: the model cut at the best validation round, and how it got there.</summary>
/// <param name="Model">The trees of rounds 1..<paramref name="BestIteration"/>.</param>
/// <param name="BestIteration">The round with the highest validation NDCG (the first, on ties).</param>
/// <param name="BestValidationNdcg">The validation metric at that round (LightGBM's NDCG@k, or the caller's).</param>
/// <param name="ValidationNdcg">The validation metric at each evaluated round (every round for LightGBM's, every EvaluateEvery for the caller's, and the last round trained when an empty tree ended training between two of those).</param>
/// <param name="Parameters">The LightGBM parameter string used.</param>
public sealed record GbdtTrainingResult(TreeEnsemble Model, int BestIteration, double BestValidationNdcg, IReadOnlyList<double> ValidationNdcg, string Parameters);
