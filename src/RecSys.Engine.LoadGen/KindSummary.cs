namespace RecSys.Engine.LoadGen;

/// <summary>One request kind's share of a run: OK answers, failures, and its latency (from the scheduled send) in milliseconds.</summary>
public sealed record KindSummary(long Ok, long Failed, double P50Ms, double P99Ms, double MaxMs);
