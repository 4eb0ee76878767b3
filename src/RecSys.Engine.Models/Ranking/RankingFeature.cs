namespace RecSys.Engine.Models.Ranking;

/// <summary>
/// One column of the ranking feature tensor: its name (stable, snake_case), the group it belongs to, what it means,
/// and the scaling the assembler applies to the raw value before it reaches the model.
/// </summary>
public sealed record RankingFeature(string Name, RankingFeatureGroups Group, string Meaning, string Scaling);
