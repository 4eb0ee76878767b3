namespace RecSys.Engine.Models.Ranking;

/// <summary>The loss <see cref="MlpTrainer"/> minimises over each query's candidates.</summary>
public enum RankingLoss
{
    /// <summary>Softmax cross-entropy against the held-out share (ListNet top-1): smooth, but blind to where in the list a swap happens.</summary>
    Listwise = 0,

    /// <summary>
    /// LambdaRank (Burges 2010): pairwise logistic over (relevant, irrelevant) pairs, each weighted by how much NDCG
    /// swapping the two would change at the current order, so the top of the list counts most.
    /// </summary>
    LambdaRank = 1,
}
