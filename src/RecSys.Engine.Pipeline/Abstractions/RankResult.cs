namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// The scores of a Rank call (scores[i] for itemIds[i]) with the ranker that produced them and the version it ran on:
/// the user's experiment variant may serve another version, and a surface may rank by fusion whatever the version ships.
/// </summary>
public sealed record RankResult(float[] Scores, string Ranker, string Version);
