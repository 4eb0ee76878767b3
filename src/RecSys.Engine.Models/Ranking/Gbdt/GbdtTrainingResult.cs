namespace RecSys.Engine.Models.Ranking.Gbdt;

/// <summary>What <see cref="GbdtTrainer"/> returns: the model cut at the best validation round, and how it got there.</summary>
/// <param name="Model">The trees of rounds 1..<paramref name="BestIteration"/>.</param>
/// <param name="BestIteration">The round with the highest validation NDCG (the first, on ties).</param>
/// <param name="BestValidationNdcg">LightGBM's validation NDCG@k at that round.</param>
/// <param name="ValidationNdcg">Validation NDCG@k after each round trained (index 0 = round 1).</param>
/// <param name="Parameters">The LightGBM parameter string used.</param>
public sealed record GbdtTrainingResult(TreeEnsemble Model, int BestIteration, double BestValidationNdcg, IReadOnlyList<double> ValidationNdcg, string Parameters);
