namespace RecSys.Engine.Pipeline.Abstractions;

/// <summary>
/// One stage's candidates: "source:collaborative" (that source's list), "merged", "filtered", "ranked",
/// "post:freshness", "post:rules", "post:diversity", "post:exploration", "final"; items in the stage's order with
/// the score it held and the source each came from.
/// </summary>
public sealed record StageTrace(string Stage, long[] ItemIds, float[] Scores, string[] Sources);
