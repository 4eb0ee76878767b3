namespace RecSys.Engine.Models.Ranking;

/// <summary>What <see cref="MlpTrainer.Train"/> returns: the model of the best validation epoch and how it got there.</summary>
public sealed record MlpTrainingResult(MlpRanker Model, int BestEpoch, double ValidationNdcg, IReadOnlyList<double> ValidationNdcgByEpoch);
