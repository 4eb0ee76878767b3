namespace RecSys.Engine.Models.TwoTower;

/// <summary>
/// How <see cref="TwoTowerTrainer"/> got its model: the epoch early stopping chose, its validation recall@K, the
/// validation recall and mean training loss of every epoch run, and the epochs of the final model (the refit on all
/// training events, or the best epoch).
/// </summary>
public sealed record TwoTowerTrainingResult(int BestEpoch, double ValidationRecall, IReadOnlyList<double> ValidationRecallByEpoch,
    IReadOnlyList<double> LossByEpoch, int Epochs);
