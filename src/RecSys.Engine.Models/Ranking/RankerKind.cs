namespace RecSys.Engine.Models.Ranking;

/// <summary>The learned ranker of the "ranked" model (<c>recsys eval --ranker</c>).</summary>
public enum RankerKind
{
    /// <summary>A small MLP trained in C# (<see cref="MlpTrainer"/>).</summary>
    Mlp = 0,

    /// <summary>A LambdaRank GBDT trained by LightGBM (<see cref="Gbdt.GbdtTrainer"/>).</summary>
    Gbdt = 1,
}
