namespace RecSys.Engine.LoadGen;

/// <summary>One SLO threshold held against a run: passes when p99 is within it and nothing failed or went unsent.</summary>
public sealed record SloVerdict(double SloMs, bool Pass);
